package io.redisops.cli;

import io.redisops.backup.catalog.Manifest;
import io.redisops.text.Sizes;
import io.redisops.backup.service.FetchService;
import io.redisops.backup.service.Offsite;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code redis-ops fetch ID --output FILE}: download an off-site backup as a verified RDB file. */
@Command(name = "fetch", description = "Download an off-site backup into an RDB file, decrypted, decompressed and checked"
    + " (SHA-256, CRC64, size, keys); the file appears only when every check passes (exit 3 otherwise).")
final class FetchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "The backup (see 'redis-ops list --where offsite').")
  String id;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "Where to write the RDB (replaced).")
  Path output;

  @Override
  public Integer call() {
    CommandContext ctx = new CommandContext(spec);
    // A folder as --output is refused before connecting, so nothing is downloaded in vain.
    FetchService.checkTarget(output);
    String dataset = ctx.dataset().name();
    Manifest m;
    try (Offsite offsite = ctx.offsite()) {
      m = new FetchService(offsite).fetch(dataset, id, output, ctx.progress());
    }
    if (ctx.json()) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("dataset", dataset);
      doc.put("id", m.id());
      doc.put("file", output.toAbsolutePath().toString());
      doc.put("raw_size", m.rawSize());
      doc.put("raw_sha256", m.rawSha256());
      doc.put("total_keys", m.totalKeys());
      ctx.printJson(doc);
    } else {
      ctx.out().printf("fetched %s/%s to %s: %s, %s keys, every checksum matches%n", dataset, m.id(),
          output.toAbsolutePath(), Sizes.human(m.rawSize()), m.describeTotalKeys());
      ctx.out().flush();
    }
    return 0;
  }
}
