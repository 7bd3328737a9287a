package io.redisops.cli;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.VerifyService;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code redis-ops verify [ID ... | --all]}: re-read stored backups and check every checksum. */
@Command(name = "verify", description = "Re-read stored backups (decompress, RDB CRC64, SHA-256, key count); exit 3 naming each bad one.")
final class VerifyCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "ID", arity = "0..*", description = "Backups to verify (default: the newest).")
  List<String> ids = new ArrayList<>();

  @Option(names = "--all", description = "Verify every backup of the dataset.")
  boolean all;

  @Option(names = "--where", paramLabel = "WHERE", defaultValue = "local", description = "local (default).")
  String where;

  @Override
  public Integer call() throws IOException {
    CommandContext ctx = new CommandContext(spec);
    ListCommand.Where.check(where);
    if (all && !ids.isEmpty()) {
      throw RedisOpsException.usage("give backup ids or --all, not both");
    }
    String dataset = ctx.dataset().name();
    BackupContext bc = ctx.backupContext();
    BackupCatalog catalog = bc.catalog(dataset);
    List<Manifest> targets = new ArrayList<>();
    if (all) {
      targets.addAll(catalog.list());
    } else if (ids.isEmpty()) {
      catalog.list().stream().findFirst().ifPresent(targets::add);
    } else {
      for (String id : ids) {
        targets.add(catalog.find(id).orElseThrow(() -> RedisOpsException.notFound(
            "no backup '" + id + "' in dataset " + dataset + "; see 'redis-ops list'")));
      }
    }
    if (targets.isEmpty()) {
      throw RedisOpsException.notFound("no backups of " + dataset + " in " + bc.repository().describe() + " to verify");
    }
    VerifyService verifier = new VerifyService(bc);
    List<VerifyService.Result> results = new ArrayList<>();
    for (Manifest m : targets) {
      VerifyService.Result r = verifier.verify(dataset, m, ctx.progress());
      results.add(r);
      if (!ctx.json()) {
        ctx.out().println((r.ok() ? "OK   " : "BAD  ") + m.id() + (r.ok() ? "" : ": " + String.join("; ", r.problems())));
        ctx.out().flush();
      }
    }
    List<String> bad = results.stream().filter(r -> !r.ok()).map(r -> r.backup().id()).toList();
    if (ctx.json()) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("dataset", dataset);
      doc.put("results", results.stream().map(r -> Map.of("id", r.backup().id(), "ok", r.ok(), "problems", r.problems())).toList());
      ctx.printJson(doc);
    }
    if (!bad.isEmpty()) {
      throw new RedisOpsException(ExitCode.INTEGRITY, bad.size() + " of " + results.size()
          + " backup(s) failed verification: " + String.join(", ", bad) + "; do not restore from them");
    }
    return 0;
  }
}
