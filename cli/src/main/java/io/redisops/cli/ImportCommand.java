package io.redisops.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.rdb.Verification;
import io.redisops.backup.retention.RetentionPlanner;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.ImportLayout;
import io.redisops.backup.service.ImportRequest;
import io.redisops.backup.service.ImportResult;
import io.redisops.backup.service.ImportResult.FileOutcome;
import io.redisops.backup.service.ImportResult.Status;
import io.redisops.backup.service.ImportService;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.text.Sizes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops import [--tier auto|hourly|daily|manual] PATH...}: existing RDB copies into the
 * catalog.
 */
@Command(
    name = "import",
    description =
        "Bring existing RDB copies (files, or folders searched for *.rdb) into the "
            + "catalog: verify, store as backups, then apply retention (sparing what was just imported).")
final class ImportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--tier",
      paramLabel = "TIER",
      defaultValue = "auto",
      description =
          "auto (default: from the crontab folder layout, YYYYMMDDHH or YYYYMMDD plus a space-padded hour "
              + "is hourly, YYYYMMDD daily, anything else manual), hourly, daily or manual.")
  Converters.ImportTier tier;

  @Parameters(
      paramLabel = "PATH",
      arity = "1..*",
      description = "An RDB file, or a folder searched recursively for *.rdb.")
  List<Path> paths;

  @Override
  public Integer call() {
    CommandContext ctx = new CommandContext(spec);
    Optional<Tier> t = Optional.ofNullable(tier.tier());
    if (!ctx.datasetGiven() && !ctx.datasetsConfigured()) {
      // without a configured dataset the name would be made up from --redis: imports must go where
      // the operator says
      throw RedisOpsException.usage(
          "import needs --dataset NAME (no dataset is configured); nothing was imported");
    }
    String dataset = ctx.dataset().name();
    BackupContext bc = ctx.backupContext();
    ZoneId zone = ctx.clock().getZone();
    PrintWriter out = ctx.out();
    Consumer<FileOutcome> each =
        ctx.json()
            ? f -> {}
            : f -> {
              out.println(line(f, zone));
              out.flush();
            };
    ImportResult r =
        new ImportService(bc)
            .importFiles(new ImportRequest(dataset, paths, t), each, ctx.progress());
    int exit =
        r.count(Status.REFUSED) > 0
            ? ExitCode.INTEGRITY.code()
            : r.count(Status.FAILED) > 0 ? ExitCode.FAILED.code() : ExitCode.OK.code();
    String summary =
        String.format(
            Locale.ROOT,
            "%d file%s: %d imported, %d skipped, %d refused, %d failed",
            r.files().size(),
            r.files().size() == 1 ? "" : "s",
            r.count(Status.IMPORTED),
            r.count(Status.SKIPPED),
            r.count(Status.REFUSED),
            r.count(Status.FAILED));
    if (ctx.json()) {
      ctx.printJson(
          new ImportJson(
              dataset,
              bc.repository().describe(),
              r.files().stream().map(ImportCommand::json).toList(),
              r.count(Status.IMPORTED),
              r.count(Status.SKIPPED),
              r.count(Status.REFUSED),
              r.count(Status.FAILED),
              r.leftoversRemoved(),
              r.pruned().stream().map(Manifest::id).toList(),
              r.keptPastRetention().stream()
                  .map(d -> new KeptJson(d.backup().id(), d.reason()))
                  .toList(),
              exit));
    } else {
      for (RetentionPlanner.Decision d : r.keptPastRetention()) {
        out.printf(
            "kept     %s: %s; the next prune removes it (import it with --tier manual to keep it)%n",
            d.backup().id(), d.reason());
      }
      for (Manifest p : r.pruned()) {
        out.printf("pruned   %s (%s)%n", p.id(), ListCommand.tiers(p));
      }
      out.println(summary);
      out.flush();
    }
    if (exit != 0) {
      List<String> bad =
          r.files().stream()
              .filter(
                  f ->
                      f.status()
                          == (exit == ExitCode.INTEGRITY.code() ? Status.REFUSED : Status.FAILED))
              .map(f -> f.path().toString())
              .toList();
      throw new ReportedFailure(
          exit == ExitCode.INTEGRITY.code() ? ExitCode.INTEGRITY : ExitCode.FAILED,
          bad.size()
              + (exit == ExitCode.INTEGRITY.code()
                  ? " file(s) failed verification and were not imported (the others were): "
                  : " file(s) could not be imported (the others were): ")
              + String.join(", ", bad));
    }
    return 0;
  }

  /** One line per file: what happened and why. */
  static String line(FileOutcome f, ZoneId zone) {
    String status =
        String.format(Locale.ROOT, "%-8s %s", f.status().name().toLowerCase(Locale.ROOT), f.path());
    if (f.status() != Status.IMPORTED) {
      return status + ": " + f.reason();
    }
    Manifest b = f.backup();
    return String.format(
        Locale.ROOT,
        "%s as %s: %s, snapshot %s (%s), %s keys, %s raw, %s stored%s",
        status,
        b.id(),
        ListCommand.tiers(b),
        ListCommand.LOCAL_TIME.format(b.snapshotTime().atZone(zone)),
        timeSource(f.timeSource()),
        b.describeTotalKeys(),
        Sizes.human(b.rawSize()),
        Sizes.human(b.storedSize()),
        b.verificationLevel() == Verification.CHECKSUM
            ? ", verified by checksum only: " + b.verificationNote()
            : "");
  }

  private static String timeSource(ImportLayout.TimeSource s) {
    return switch (s) {
      case CTIME -> "the RDB's ctime";
      case FOLDER -> "the folder name";
      case MTIME -> "the file's mtime";
    };
  }

  /**
   * The {@code --json} document: every file's outcome, the counts, retention's work and the exit
   * code.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record ImportJson(
      String dataset,
      String repository,
      List<FileJson> files,
      long imported,
      long skipped,
      long refused,
      long failed,
      int leftoversRemoved,
      List<String> pruned,
      List<KeptJson> keptPastRetention,
      int exitCode) {}

  /** A backup past retention that the import spared for now. */
  record KeptJson(String id, String reason) {}

  /**
   * One file: imported (with what it became) or not (with the reason); {@code id} when a backup is
   * known.
   */
  record FileJson(
      String path,
      String status,
      @JsonInclude(JsonInclude.Include.NON_NULL) String id,
      @JsonUnwrapped ImportedJson imported,
      @JsonUnwrapped NotImportedJson notImported) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record ImportedJson(
      List<String> tiers,
      String snapshotTime,
      String timeSource,
      Long totalKeys,
      String verification) {}

  record NotImportedJson(String reason) {}

  private static FileJson json(FileOutcome f) {
    Manifest b = f.backup();
    return new FileJson(
        f.path().toString(),
        f.status().name().toLowerCase(Locale.ROOT),
        b == null ? null : b.id(),
        f.status() != Status.IMPORTED
            ? null
            : new ImportedJson(
                b.sortedTiers().stream().map(Tier::id).toList(),
                b.snapshotTime().toString(),
                f.timeSource().id(),
                b.keysKnown() ? b.totalKeys() : null,
                b.verificationLevel().label()),
        f.status() == Status.IMPORTED ? null : new NotImportedJson(f.reason()));
  }
}
