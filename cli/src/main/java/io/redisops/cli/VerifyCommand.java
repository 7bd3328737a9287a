package io.redisops.cli;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.Offsite;
import io.redisops.backup.service.VerifyService;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code redis-ops verify [ID ... | --all]}: re-read stored backups and check every checksum. */
@Command(
    name = "verify",
    description =
        "Re-read stored backups (download, decrypt, decompress, RDB CRC64, SHA-256, key count); exit 3 naming each bad one.")
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "ID",
      arity = "0..*",
      description = "Backups to verify (default: the newest).")
  List<String> ids = new ArrayList<>();

  @Option(names = "--all", description = "Verify every backup of the dataset.")
  boolean all;

  @Mixin Mixins.WhereOption where;

  /** The {@code --json} document. */
  record VerifyJson(String dataset, List<ResultJson> results) {}

  /** One backup verified. */
  record ResultJson(String id, String where, boolean ok, List<String> problems) {}

  @Override
  public Integer call() throws IOException {
    CommandContext ctx = new CommandContext(spec);
    Where w = where.where;
    if (all && !ids.isEmpty()) {
      throw RedisOpsException.usage("give backup ids or --all, not both");
    }
    String dataset = ctx.dataset().name();
    List<VerifyService.Result> results = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    if (w.local()) {
      BackupContext bc = ctx.backupContext();
      verify(
          ctx,
          dataset,
          bc,
          new VerifyService(bc),
          w == Where.ALL ? "local   " : "",
          results,
          labels);
    }
    if (w.offsite()) {
      try (Offsite offsite = ctx.offsite()) {
        verify(
            ctx,
            dataset,
            offsite.remote(),
            new VerifyService(offsite.remote(), offsite.encryption()),
            w == Where.ALL ? "offsite " : "",
            results,
            labels);
      }
    }
    List<String> bad = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      if (!results.get(i).ok()) {
        bad.add(
            labels.get(i).trim().isEmpty()
                ? results.get(i).id()
                : labels.get(i).trim() + " " + results.get(i).id());
      }
    }
    if (ctx.json()) {
      List<ResultJson> rs = new ArrayList<>();
      for (int i = 0; i < results.size(); i++) {
        VerifyService.Result r = results.get(i);
        rs.add(
            new ResultJson(
                r.id(),
                labels.get(i).trim().isEmpty() ? w.id() : labels.get(i).trim(),
                r.ok(),
                r.problems()));
      }
      ctx.printJson(new VerifyJson(dataset, rs));
    }
    if (!bad.isEmpty()) {
      throw new ReportedFailure(
          ExitCode.INTEGRITY,
          bad.size()
              + " of "
              + results.size()
              + " backup(s) failed verification: "
              + String.join(", ", bad)
              + "; do not restore from them (remove one with 'redis-ops delete ID')");
    }
    return 0;
  }

  private void verify(
      CommandContext ctx,
      String dataset,
      BackupContext bc,
      VerifyService verifier,
      String label,
      List<VerifyService.Result> results,
      List<String> labels)
      throws IOException {
    BackupCatalog catalog = bc.catalog(dataset);
    List<Manifest> targets = new ArrayList<>();
    // Unusable backups (damaged manifest, object outside the folder, missing data file) fail
    // without being read.
    List<BackupCatalog.Unusable> unusable = new ArrayList<>();
    if (all) {
      BackupCatalog.Scan scan = catalog.scan();
      targets.addAll(scan.usable());
      unusable.addAll(scan.unusable());
    } else if (ids.isEmpty()) {
      catalog.list().stream().findFirst().ifPresent(targets::add);
    } else {
      for (String id : ids) {
        BackupCatalog.Entry e = catalog.lookup(id);
        if (e.manifest() != null) {
          targets.add(e.manifest());
        } else if (e.problem() != null) {
          unusable.add(new BackupCatalog.Unusable(id, e.problem()));
        } else {
          throw catalog.noSuchBackup(id);
        }
      }
    }
    if (targets.isEmpty() && unusable.isEmpty()) {
      throw RedisOpsException.notFound(
          "no backups of " + dataset + " in " + bc.repository().describe() + " to verify");
    }
    for (BackupCatalog.Unusable u : unusable) {
      report(ctx, label, VerifyService.unusable(u), results, labels);
    }
    for (Manifest m : targets) {
      report(ctx, label, verifier.verify(dataset, m, ctx.progress()), results, labels);
    }
  }

  private static void report(
      CommandContext ctx,
      String label,
      VerifyService.Result r,
      List<VerifyService.Result> results,
      List<String> labels) {
    results.add(r);
    labels.add(label);
    if (!ctx.json()) {
      ctx.out()
          .println(
              (r.ok() ? "OK   " : "BAD  ")
                  + label
                  + r.id()
                  + (r.ok() ? "" : ": " + String.join("; ", r.problems())));
      ctx.out().flush();
    }
  }
}
