package io.redisops.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.archive.ArchiveStore;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.Offsite;
import io.redisops.config.Settings;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.recovery.kernel.ServiceCommands;
import io.redisops.recovery.restore.ArchiveSources;
import io.redisops.recovery.restore.BackupSources;
import io.redisops.recovery.restore.FolderRestore;
import io.redisops.recovery.restore.LocalBackupSource;
import io.redisops.recovery.restore.OffsiteBackupSource;
import io.redisops.recovery.restore.OtherInstance;
import io.redisops.recovery.restore.PointInTime;
import io.redisops.recovery.restore.RestoreListener;
import io.redisops.recovery.restore.RestorePlan;
import io.redisops.recovery.restore.RestoreReport;
import io.redisops.recovery.restore.RestoreService;
import io.redisops.recovery.restore.RestoreStep;
import io.redisops.recovery.restore.RestoreTarget;
import io.redisops.recovery.restore.RestoreTimeouts;
import io.redisops.recovery.restore.Selection;
import io.redisops.redis.RedisEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops restore (--at TIME | --backup ID | --latest) [--from auto|local|offsite]
 * [--dry-run] [--yes]} and {@code restore --resume | --rollback}: the plan, consent, then the safe
 * sequence with each step reported.
 */
@Command(
    name = "restore",
    description = {
      "Replace the data of the dataset's Redis with a backup, by the safe sequence: verify the backup, SHUTDOWN NOSAVE,"
          + " move the current files into a quarantine folder, appendonly no, place the RDB, start, check the keys,"
          + " rewrite the AOF if it was on, only then appendonly yes; any failure is rolled back.",
      "TIME: HH:MM[:SS] (the latest such moment not in the future), YYYY-MM-DD HH:MM[:SS], ISO-8601 with offset or Z,"
          + " -90m / -2h / -1d, or now (as late as the data goes: the archive's last sealed command, else the"
          + " newest backup).",
      "With the point-in-time archive, --at lays out the backup and the archived writes up to TIME as a multi-part"
          + " AOF that Redis loads, then rewrites; when the archive does not cover TIME it says so and restores the"
          + " backup alone."
    })
final class RestoreCommand implements Callable<Integer> {
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  What what;

  static final class What {
    @Option(
        names = "--at",
        paramLabel = "TIME",
        description =
            "The newest backup taken at or before TIME; where the point-in-time archive covers TIME,"
                + " that backup plus the archived writes up to TIME (a TIME to the second includes"
                + " that second's writes, one with a fraction excludes them); 'now': every write the"
                + " archive holds, up to its last seal (the plan names the last one), else the newest"
                + " backup.")
    Converters.RestoreAt at;

    @Option(names = "--backup", paramLabel = "ID", description = "This backup.")
    String backup;

    @Option(names = "--latest", description = "The newest backup.")
    boolean latest;

    @Option(names = "--resume", description = "Finish a restore that was interrupted.")
    boolean resume;

    @Option(
        names = "--rollback",
        description = "Undo a restore that was interrupted: original files, config and data back.")
    boolean rollback;
  }

  @Option(
      names = "--from",
      paramLabel = "WHERE",
      defaultValue = "auto",
      completionCandidates = Converters.FromValues.class,
      description =
          "auto (local copy, else the off-site one), local or offsite (default: ${DEFAULT-VALUE}).")
  BackupSources.From from;

  @Mixin Mixins.DryRun dryRun;

  @Mixin Mixins.Yes yes;

  @Option(
      names = "--config-file",
      paramLabel = "FILE",
      description =
          "Redis's config file (default: datasets[].redis.config-file, else config_file from INFO); with it a"
              + " Redis that is down (crashed, or not loading its files) is restored from what the file says.")
  String configFile;

  @Option(
      names = "--to",
      paramLabel = "URI",
      description =
          "Restore into another Redis on this host (redis://[user:password@]host:port) by the same safe"
              + " sequence, with its own config file; the dataset's Redis is left alone. Refused when it is a"
              + " replica, or holds keys unless --force.")
  String to;

  @Option(
      names = "--to-dir",
      paramLabel = "DIR",
      description =
          "Write the verified RDB (dump.rdb) and a redis.conf that loads it into DIR, for a new host;"
              + " nothing running is touched. DIR must be new or empty (--force: any folder, but an existing"
              + " dump.rdb or redis.conf is never replaced).")
  String toDir;

  @Option(
      names = "--force",
      description =
          "With --to: replace the keys the target holds (or restore it while it is down, from"
              + " --config-file); with --to-dir: write into a folder that is not empty.")
  boolean force;

  /**
   * The {@code --json} document of {@code --dry-run}: the plan; with {@code --at} and an archive,
   * the cut of the archived stream ({@code point_in_time}) or why it is not used ({@code
   * archive_fallback}).
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record DryRunJson(
      boolean dryRun,
      String backup,
      RestoreTarget target,
      String quarantine,
      List<StepJson> steps,
      PointInTime pointInTime,
      String archiveFallback) {}

  /** One step of the plan. */
  record StepJson(String name, String does) {}

  /** The {@code --json} document of {@code --rollback}. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record RollbackJson(String dataset, boolean rolledBack, String summary) {}

  /** The off-site connection this run opened, closed when the command ends. */
  private Offsite openedOffsite;

  @Override
  public Integer call() throws IOException {
    try {
      return restore();
    } finally {
      if (openedOffsite != null) {
        openedOffsite.close();
      }
    }
  }

  private Integer restore() throws IOException {
    CommandContext ctx = new CommandContext(spec);
    if ((what.resume || what.rollback) && dryRun.dryRun) {
      throw RedisOpsException.usage(
          "--dry-run applies to a new restore, not to --resume or --rollback");
    }
    if (to != null && toDir != null) {
      throw RedisOpsException.usage("give --to or --to-dir, not both");
    }
    if (force && to == null && toDir == null) {
      throw RedisOpsException.usage("--force applies to --to and --to-dir only");
    }
    if (toDir != null && (what.resume || what.rollback || dryRun.dryRun)) {
      throw RedisOpsException.usage(
          "--to-dir writes a new folder and touches no server: --resume, --rollback and --dry-run do not apply");
    }
    BackupSources.From f = from;
    Settings.DatasetSettings ds = ctx.dataset();
    BackupContext bc = ctx.backupContext();
    // The off-site repository, when configured, is the fallback of --from auto and the source of
    // --from offsite.
    Offsite offsite =
        f == BackupSources.From.LOCAL || ctx.settings().offsite().isEmpty() ? null : ctx.offsite();
    openedOffsite = offsite;
    BackupSources sources =
        new BackupSources(
            new LocalBackupSource(bc),
            offsite == null ? null : new OffsiteBackupSource(offsite),
            f);
    PrintWriter report = ctx.report();
    RestoreListener listener = listener(ctx, report);
    if (toDir != null) {
      FolderRestore.Result r =
          FolderRestore.restore(
              sources,
              ds.name(),
              selection(),
              java.nio.file.Path.of(toDir),
              force,
              ctx.clock(),
              listener.progress(),
              listener::notice);
      return done(
          ctx,
          r,
          "backup "
              + r.backupId()
              + " ("
              + r.from()
              + " copy, verified) written to "
              + r.rdb()
              + " with "
              + r.config()
              + "; start a server on it with: "
              + r.start());
    }
    RestoreService service =
        new RestoreService(bc, sources, ctx.clock(), RestoreTimeouts.defaults())
            .withArchives(archives(bc, offsite));
    RestoreService.Target target;
    if (to != null) {
      // another Redis of this host: its own config file (--config-file, else its INFO config_file)
      // and the default stop and start, never the dataset's commands
      RedisEndpoint other = RedisEndpoint.parse(to);
      target =
          new RestoreService.Target(
              ds.name(),
              other,
              configFile != null
                  ? java.nio.file.Path.of(configFile).toAbsolutePath().toString()
                  : null,
              ServiceCommands.defaults());
      if (!what.resume && !what.rollback) {
        OtherInstance.check(other, ds.endpoint(), force, RestoreTimeouts.defaults().redis());
      }
    } else {
      // a new restore works on the current master (with Sentinel); --resume and --rollback on the
      // server the interrupted run worked on: redis.uri, or --redis
      target =
          new RestoreService.Target(
              ds.name(),
              what.resume || what.rollback
                  ? ds.endpoint()
                  : ctx.server(CommandContext.Use.MASTER, "restore").endpoint(),
              configFile != null
                  ? java.nio.file.Path.of(configFile).toAbsolutePath().toString()
                  : ds.configFile(),
              new ServiceCommands(ds.startCommand(), ds.stopCommand()),
              ds.sentinel());
    }

    if (what.rollback) {
      String summary =
          service.rollback(target, lines -> consent(ctx, "restore --rollback", lines), listener);
      return done(ctx, new RollbackJson(ds.name(), true, summary), "rollback done: " + summary);
    }
    if (what.resume) {
      RestoreReport r =
          service.resume(target, lines -> consent(ctx, "restore --resume", lines), listener);
      return done(
          ctx,
          r,
          "restore of backup "
              + r.backupId()
              + " finished; the replaced data is in "
              + r.quarantine());
    }
    Selection selection = selection();
    if (dryRun.dryRun) {
      service.refuseIfInterrupted(
          ds.name(), listener::command); // what the real command would say, exit 5
      RestorePlan plan = service.plan(target, selection, listener);
      if (ctx.json()) {
        ctx.printJson(
            new DryRunJson(
                true,
                plan.backup().id(),
                plan.target(),
                plan.quarantine().toString(),
                plan.steps().stream().map(s -> new StepJson(s.name(), s.describe())).toList(),
                plan.pointInTime(),
                plan.archiveFallback()));
      } else {
        plan.describe().forEach(report::println);
        report.println("dry run: nothing was changed");
        report.flush();
      }
      return 0;
    }
    Optional<RestoreReport> r =
        service.restore(
            target,
            selection,
            plan ->
                consent(
                    ctx,
                    "restore of backup "
                        + plan.backup().id()
                        + " over all data of "
                        + plan.target().address(),
                    plan.describe()),
            listener);
    if (r.isEmpty()) {
      throw RedisOpsException.refused("restore not confirmed; nothing was changed");
    }
    PointInTime pit = r.get().pointInTime();
    return done(
        ctx,
        r.get(),
        "restore of backup "
            + r.get().backupId()
            + (pit == null
                ? ""
                : " and "
                    + pit.commands()
                    + " archived commands up to "
                    + (pit.lastCommandTime() == null ? "the cut" : pit.lastCommandTime())
                    + (pit.archiveEnd() ? " (the end of the archive)" : ""))
            + " done; the replaced data is in "
            + r.get().quarantine()
            + " (delete it once satisfied)");
  }

  /**
   * The point-in-time archives {@code --at} may use, in {@code --from}'s order: the local one (in
   * the repository, beside the backups), then the off-site one; {@code --resume} and {@code
   * --rollback} get them too (an interrupted restore from the archive reads its segments again). An
   * off-site archive encrypted client-side is decrypted with the configured key ({@link
   * Offsite#archive}).
   */
  private ArchiveSources archives(BackupContext bc, Offsite offsite) {
    if (what.at == null && !what.resume && !what.rollback) {
      return ArchiveSources.NONE;
    }
    List<ArchiveSources.Source> out = new java.util.ArrayList<>();
    if (from != BackupSources.From.OFFSITE) {
      out.add(
          new ArchiveSources.Source("local", new ArchiveStore(bc.repository(), bc.compression())));
    }
    if (offsite != null) {
      // segments are decrypted with the configured key when the pusher encrypted them
      out.add(new ArchiveSources.Source("offsite", offsite.archive()));
    }
    return new ArchiveSources(out);
  }

  private Selection selection() {
    return what.backup != null
        ? Selection.byId(what.backup)
        : what.at == null
            ? Selection.latest()
            : what.at.end()
                ? Selection.archiveEnd(what.at.instant())
                : Selection.at(what.at.instant());
  }

  private int done(CommandContext ctx, Object json, String line) {
    if (ctx.json()) {
      ctx.printJson(json);
    } else {
      ctx.out().println(line);
      ctx.out().flush();
    }
    return 0;
  }

  /**
   * The consent rule ({@link Consent}): the plan, then --yes or the question; refused (exit 5)
   * otherwise.
   */
  private boolean consent(CommandContext ctx, String what, java.util.List<String> plan) {
    Consent.obtain(ctx, yes, what, plan);
    return true;
  }

  /**
   * This run's command line with {@code option} in place of the restore's own options (--at,
   * --backup, --latest, --from, --dry-run, --yes, --resume, --rollback): what the operator must
   * type next, with their -c, --dataset, ...
   */
  private String commandWith(String option) {
    java.util.List<String> args = spec.root().commandLine().getParseResult().originalArgs();
    java.util.Set<String> withValue = java.util.Set.of("--at", "--backup", "--from");
    java.util.Set<String> flags =
        java.util.Set.of("--latest", "--dry-run", "--yes", "--resume", "--rollback");
    StringBuilder b = new StringBuilder("redis-ops");
    boolean afterRestore = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (afterRestore && withValue.contains(name)) {
        i += a.contains("=") ? 0 : 1;
        continue;
      }
      if (afterRestore && flags.contains(name)) {
        continue;
      }
      if (i > 0 && args.get(i - 1).equals("--to")) {
        a = RedisEndpoint.parse(a).toString(); // never the password
      } else if (name.equals("--to") && a.contains("=")) {
        a = "--to=" + RedisEndpoint.parse(a.substring(a.indexOf('=') + 1));
      }
      b.append(' ').append(shellWord(a));
      if (!afterRestore && a.equals("restore")) {
        afterRestore = true;
        b.append(' ').append(option);
      }
    }
    return b.toString();
  }

  private static String shellWord(String a) {
    return a.matches("[A-Za-z0-9_@%+=:,./-]+") ? a : "'" + a.replace("'", "'\\''") + "'";
  }

  private RestoreListener listener(CommandContext ctx, PrintWriter report) {
    ProgressListener progress = ctx.progress();
    return new RestoreListener() {
      @Override
      public String command(String option) {
        return commandWith(option);
      }

      @Override
      public void stepStarted(int n, int total, RestoreStep step, Instant at) {
        report.printf(
            Locale.ROOT,
            "[%s] %d/%d %s: %s%n",
            CLOCK.format(at.atZone(ctx.clock().getZone())),
            n,
            total,
            step.name(),
            step.describe());
        report.flush();
      }

      @Override
      public void stepFinished(int n, int total, RestoreStep step, Duration took, String outcome) {
        report.printf(
            Locale.ROOT,
            "[%s] %d/%d %s done in %.1f s: %s%n",
            now(),
            n,
            total,
            step.name(),
            took.toMillis() / 1000.0,
            outcome);
        report.flush();
      }

      @Override
      public void stepFailed(int n, int total, RestoreStep step, Duration took, String reason) {
        report.printf(
            Locale.ROOT,
            "[%s] %d/%d %s FAILED after %.1f s: %s%n",
            now(),
            n,
            total,
            step.name(),
            took.toMillis() / 1000.0,
            reason);
        report.flush();
      }

      @Override
      public void notice(String message) {
        report.printf("[%s] %s%n", now(), message);
        report.flush();
      }

      @Override
      public void warning(String message) {
        if (ctx.json()) {
          notice(message); // stderr already
        } else {
          ctx.err().printf("[%s] %s%n", now(), message);
          ctx.err().flush();
        }
      }

      @Override
      public ProgressListener progress() {
        return progress;
      }

      private String now() {
        return CLOCK.format(ctx.clock().instant().atZone(ctx.clock().getZone()));
      }
    };
  }
}
