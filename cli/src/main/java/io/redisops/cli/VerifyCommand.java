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
import java.util.Map;
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

  @Option(
      names = "--all",
      description =
          "Verify every backup (of every dataset in the repository unless --dataset or --redis"
              + " names one).")
  boolean all;

  @Mixin Mixins.WhereOption where;

  /**
   * The {@code --json} document: {@code dataset} names the one dataset verified (null when several
   * are), {@code datasets} every one.
   */
  record VerifyJson(String dataset, List<String> datasets, List<ResultJson> results) {}

  /** One backup verified. */
  record ResultJson(String dataset, String id, String where, boolean ok, List<String> problems) {}

  /** One result and what it is printed and counted under. */
  private record Verified(String dataset, String place, VerifyService.Result result) {}

  @Override
  public Integer call() throws IOException {
    CommandContext ctx = new CommandContext(spec);
    Where w = where.where;
    if (all && !ids.isEmpty()) {
      throw RedisOpsException.usage("give backup ids or --all, not both");
    }
    List<Verified> results = new ArrayList<>();
    BackupContext bc = ctx.backupContext();
    List<String> datasets;
    try (Offsite offsite = w.offsite() ? ctx.offsite() : null) {
      List<io.redisops.storage.Repository> read = new ArrayList<>();
      if (w.local()) {
        read.add(bc.repository());
      }
      if (offsite != null) {
        read.add(offsite.remote().repository());
      }
      datasets = ctx.datasetsIn(read.toArray(io.redisops.storage.Repository[]::new));
      boolean several = datasets.size() > 1;
      Map<String, List<String>> idsOf = idsByDataset(datasets, bc, offsite);
      int found = 0;
      for (String dataset : datasets) {
        if (!ids.isEmpty() && !idsOf.containsKey(dataset)) {
          continue;
        }
        List<String> wanted = idsOf.getOrDefault(dataset, List.of());
        if (w.local()) {
          found +=
              verify(
                  ctx,
                  dataset,
                  wanted,
                  several,
                  bc,
                  new VerifyService(bc),
                  w == Where.ALL ? "local" : "",
                  results);
        }
        if (offsite != null) {
          found +=
              verify(
                  ctx,
                  dataset,
                  wanted,
                  several,
                  offsite.remote(),
                  new VerifyService(offsite.remote(), offsite.encryption()),
                  w == Where.ALL ? "offsite" : "",
                  results);
        }
      }
      if (found == 0) {
        throw RedisOpsException.notFound(
            several
                ? "no backups of "
                    + String.join(", ", datasets)
                    + " in "
                    + read.get(0).describe()
                    + " to verify"
                : new BackupCatalog(read.get(0), datasets.get(0)).noBackups(" to verify"));
      }
    }
    boolean several = datasets.size() > 1;
    List<String> bad = new ArrayList<>();
    for (Verified v : results) {
      if (!v.result().ok()) {
        bad.add((v.place().isEmpty() ? "" : v.place() + " ") + name(v, several));
      }
    }
    if (ctx.json()) {
      ctx.printJson(
          new VerifyJson(
              several ? null : datasets.get(0),
              datasets,
              results.stream()
                  .map(
                      v ->
                          new ResultJson(
                              v.dataset(),
                              v.result().id(),
                              v.place().isEmpty() ? w.id() : v.place(),
                              v.result().ok(),
                              v.result().problems()))
                  .toList()));
    }
    if (!bad.isEmpty()) {
      throw new ReportedFailure(
          ExitCode.INTEGRITY,
          bad.size()
              + " of "
              + results.size()
              + " backup(s) failed verification: "
              + String.join(", ", bad)
              + "; do not restore from them (remove one with 'redis-ops "
              + (several ? "--dataset NAME " : "")
              + "delete ID')");
    }
    return 0;
  }

  private static String name(Verified v, boolean several) {
    return (several ? v.dataset() + "/" : "") + v.result().id();
  }

  /**
   * With backup ids and several datasets: the dataset of each id (exit 4 when none has it, 2 when
   * several do). Without ids, or with one dataset: every dataset gets all ids.
   */
  private Map<String, List<String>> idsByDataset(
      List<String> datasets, BackupContext bc, Offsite offsite) throws IOException {
    Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    if (datasets.size() == 1) {
      out.put(datasets.get(0), ids);
      return out;
    }
    for (String id : ids) {
      List<String> holders = new ArrayList<>();
      for (String d : datasets) {
        boolean here =
            (where.where.local() && bc.catalog(d).lookup(id).exists())
                || (offsite != null && offsite.remote().catalog(d).lookup(id).exists());
        if (here) {
          holders.add(d);
        }
      }
      if (holders.isEmpty()) {
        throw RedisOpsException.notFound(
            "no backup '"
                + id
                + "' of datasets "
                + String.join(", ", datasets)
                + "; see 'redis-ops list'");
      }
      if (holders.size() > 1) {
        throw RedisOpsException.usage(
            "backup '"
                + id
                + "' exists in datasets "
                + String.join(", ", holders)
                + "; choose one with --dataset NAME");
      }
      out.computeIfAbsent(holders.get(0), k -> new ArrayList<>()).add(id);
    }
    return out;
  }

  /** Verifies the chosen backups of one dataset in one place; returns how many there were. */
  private int verify(
      CommandContext ctx,
      String dataset,
      List<String> wanted,
      boolean several,
      BackupContext bc,
      VerifyService verifier,
      String place,
      List<Verified> results)
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
    } else if (wanted.isEmpty()) {
      catalog.list().stream().findFirst().ifPresent(targets::add);
    } else {
      for (String id : wanted) {
        BackupCatalog.Entry e = catalog.lookup(id);
        if (e.manifest() != null) {
          targets.add(e.manifest());
        } else if (e.problem() != null) {
          unusable.add(new BackupCatalog.Unusable(id, e.problem()));
        } else if (!several) {
          throw catalog.noSuchBackup(id);
        }
      }
    }
    for (BackupCatalog.Unusable u : unusable) {
      report(ctx, new Verified(dataset, place, VerifyService.unusable(u)), several, results);
    }
    for (Manifest m : targets) {
      report(
          ctx,
          new Verified(dataset, place, verifier.verify(dataset, m, ctx.progress())),
          several,
          results);
    }
    return targets.size() + unusable.size();
  }

  private static void report(
      CommandContext ctx, Verified v, boolean several, List<Verified> results) {
    results.add(v);
    VerifyService.Result r = v.result();
    if (!ctx.json()) {
      ctx.out()
          .println(
              (r.ok() ? "OK   " : "BAD  ")
                  + (v.place().isEmpty() ? "" : String.format("%-8s", v.place()))
                  + name(v, several)
                  + (r.ok() ? "" : ": " + String.join("; ", r.problems())));
      ctx.out().flush();
    }
  }
}
