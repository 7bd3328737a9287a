package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.recovery.kernel.StepRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The safe restore sequence for one backup and one target (docs/redis-facts.md, "The safe restore
 * sequence"), as ordered {@link RestoreStep}s. The AOF steps are part of it only when the target
 * needs them: when AOF is on at runtime and in the config file, the RDB becomes the base of the AOF
 * Redis starts with ({@code aof-base}, then {@code place} of the AOF folder) and nothing is
 * rewritten; otherwise {@code aof-off} and {@code aof-persist} when its config file says {@code
 * appendonly yes}, {@code aof-rewrite} when AOF was on at runtime; {@code hold-off}, {@code
 * replicas} and {@code release} when the target is the master its sentinels monitor.
 *
 * <p>A restore to an instant from the archive ({@link RestoreRun#archive()}) places a multi-part
 * AOF instead of an RDB (docs/redis-facts.md, "Point-in-time restore"): {@code archive} (read, cut
 * and lay out, before the stop), {@code aof-on} in the config file (when it says no), {@code place}
 * of the AOF folder, {@code start} (Redis loads base and commands), {@code check-load}, then {@code
 * aof-rewrite} (fold into a new base) when AOF was on at runtime or {@code save} (AOF off again,
 * BGSAVE) when it was off, and {@code aof-config} when the file said no.
 */
public final class RestorePlan {
  private final RestoreRun run;
  private final List<RestoreStep> steps;
  private final String archiveFallback;

  RestorePlan(RestoreRun run, RestoreTimeouts timeouts) {
    this(run, timeouts, null);
  }

  /**
   * @param archiveFallback why a restore {@code --at} an instant does not use the archive, or null
   */
  RestorePlan(RestoreRun run, RestoreTimeouts timeouts, String archiveFallback) {
    this.run = run;
    this.archiveFallback = archiveFallback;
    this.steps = run.archive() != null ? archiveSteps(run, timeouts) : rdbSteps(run, timeouts);
  }

  private static List<RestoreStep> archiveSteps(RestoreRun run, RestoreTimeouts timeouts) {
    RestoreTarget t = run.target();
    List<RestoreStep> s = new ArrayList<>();
    s.add(new FetchStep(run));
    s.add(new ArchiveCutStep(run, new io.redisops.recovery.aof.CheckAofTool()));
    if (run.guard() != null) {
      s.add(new HoldOffStep(run));
    }
    s.add(new StopStep(run));
    s.add(new QuarantineStep(run));
    if (!t.aofInConfigFile()) {
      s.add(new AofOnStep(run));
    }
    s.add(new PlaceAofStep(run));
    s.add(new StartStep(run));
    s.add(new ArchiveLoadCheckStep(run));
    if (t.aofOn()) {
      s.add(new AofRewriteStep(run, timeouts.rewrite(), true));
    } else {
      s.add(new SaveStep(run, timeouts.rewrite()));
    }
    if (!t.aofInConfigFile()) {
      s.add(new AofConfigStep(run));
    }
    s.add(new FinalCheckStep(run));
    if (run.guard() != null) {
      s.add(new ReplicaSyncStep(run));
      s.add(new ReleaseHoldOffStep(run));
    }
    return List.copyOf(s);
  }

  private static List<RestoreStep> rdbSteps(RestoreRun run, RestoreTimeouts timeouts) {
    RestoreTarget t = run.target();
    if (t.aofOn()
        && t.aofInConfigFile()
        && io.redisops.recovery.pitr.AofLayout.plainName(t.appendfilename())) {
      return aofBaseSteps(run);
    }
    List<RestoreStep> s = new ArrayList<>();
    s.add(new FetchStep(run));
    if (run.guard() != null) {
      s.add(new HoldOffStep(run));
    }
    s.add(new StopStep(run, true));
    s.add(new QuarantineStep(run));
    if (t.aofInConfigFile()) {
      s.add(new AofOffStep(run));
    }
    s.add(new PlaceStep(run));
    s.add(new StartStep(run));
    s.add(new KeyCountStep(run));
    if (t.aofOn()) {
      s.add(new AofRewriteStep(run, timeouts.rewrite()));
    }
    if (t.aofInConfigFile()) {
      s.add(new PersistAofStep(run));
    }
    s.add(new FinalCheckStep(run));
    if (run.guard() != null) {
      s.add(new ReplicaSyncStep(run));
      s.add(new ReleaseHoldOffStep(run));
    }
    return List.copyOf(s);
  }

  /**
   * An RDB restore onto a server with AOF on at runtime and in its config file: the verified RDB
   * becomes the base of the AOF it starts with ({@link AofBaseStep}), so no AOF rewrite follows the
   * load and the config file is never touched.
   */
  private static List<RestoreStep> aofBaseSteps(RestoreRun run) {
    List<RestoreStep> s = new ArrayList<>();
    s.add(new FetchStep(run));
    s.add(new AofBaseStep(run));
    if (run.guard() != null) {
      s.add(new HoldOffStep(run));
    }
    s.add(new StopStep(run, true));
    s.add(new QuarantineStep(run));
    s.add(new PlaceAofStep(run));
    s.add(new StartStep(run));
    s.add(new KeyCountStep(run));
    s.add(new FinalCheckStep(run));
    if (run.guard() != null) {
      s.add(new ReplicaSyncStep(run));
      s.add(new ReleaseHoldOffStep(run));
    }
    return List.copyOf(s);
  }

  /** The cut of the archived stream applied after the backup, or null (an RDB restore). */
  public PointInTime pointInTime() {
    return run.archive() == null ? null : run.archive().cut();
  }

  /**
   * Why a restore {@code --at} an instant restores the snapshot alone although archives are
   * configured, or null.
   */
  public String archiveFallback() {
    return archiveFallback;
  }

  public List<RestoreStep> steps() {
    return steps;
  }

  public Manifest backup() {
    return run.backup();
  }

  public RestoreTarget target() {
    return run.target();
  }

  /** Where the current data will be (or is) kept. */
  public Path quarantine() {
    return run.quarantine();
  }

  RestoreRun run() {
    return run;
  }

  /**
   * The plan as numbered lines with concrete values, for {@code --dry-run} and the consent prompt.
   */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    RestoreTarget t = run.target();
    out.add(
        "restore dataset "
            + run.dataset()
            + " on Redis "
            + t.redisVersion()
            + " at "
            + t.address()
            + " (pid "
            + t.pid()
            + ")");
    out.add(
        "  backup:      "
            + run.backup().id()
            + ", snapshot "
            + run.backup().snapshotTime()
            + ", "
            + run.backup().describeTotalKeys()
            + " keys ("
            + Manifest.describeKeys(run.backup().keys())
            + ")");
    if (run.archive() != null) {
      out.add("  archive:     " + run.archive().cut().describe());
    } else if (archiveFallback != null) {
      out.add("  archive:     not used: " + archiveFallback);
    }
    out.add(
        "  data dir:    "
            + t.dir()
            + " (dbfilename "
            + t.dbfilename()
            + ", appenddirname "
            + t.appenddirname()
            + ")");
    out.add(
        "  config file: "
            + t.configFile()
            + " (appendonly "
            + (t.aofInConfigFile() ? "yes" : "no")
            + " in the file, AOF "
            + (t.aofOn() ? "on" : "off")
            + " at runtime)");
    if (t.supervisedBy() != null) {
      out.add("  supervised:  " + t.supervisedBy());
    }
    out.add("  quarantine:  " + run.quarantine());
    out.addAll(StepRunner.describe(steps, null));
    return out;
  }
}
