package io.redisops.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.service.FetchService;
import io.redisops.backup.service.Offsite;
import io.redisops.text.Sizes;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code redis-ops fetch ID --output FILE}: download an off-site backup as a verified RDB file. */
@Command(
    name = "fetch",
    description =
        "Download an off-site backup into an RDB file, decrypted, decompressed and checked"
            + " (SHA-256, CRC64, size, keys); the file appears only when every check passes (exit 3 otherwise).")
final class FetchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "The backup (see 'redis-ops list --where offsite').")
  String id;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      required = true,
      description = "Where to write the RDB (replaced).")
  Path output;

  /** The {@code --json} document. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record FetchJson(
      String dataset, String id, String file, long rawSize, String rawSha256, Long totalKeys) {}

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
      ctx.printJson(
          new FetchJson(
              dataset,
              m.id(),
              output.toAbsolutePath().toString(),
              m.rawSize(),
              m.rawSha256(),
              m.totalKeys()));
    } else {
      ctx.out()
          .printf(
              "fetched %s/%s to %s: %s, %s keys, every checksum matches%n",
              dataset,
              m.id(),
              output.toAbsolutePath(),
              Sizes.human(m.rawSize()),
              m.describeTotalKeys());
      ctx.out().flush();
    }
    return 0;
  }
}
