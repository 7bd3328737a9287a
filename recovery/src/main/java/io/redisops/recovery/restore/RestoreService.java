package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.DatasetLock;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.recovery.kernel.FailoverGuard;
import io.redisops.recovery.kernel.ProcessControl;
import io.redisops.recovery.kernel.Quarantine;
import io.redisops.recovery.kernel.ServiceCommands;
import io.redisops.recovery.kernel.StepRunner;
import io.redisops.recovery.select.BackupSelector;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisSession;
import io.redisops.sentinel.FailoverHoldOff;
import io.redisops.sentinel.SentinelTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Restores a backup into a running Redis with the safe sequence (docs/redis-facts.md, "The safe
 * restore sequence"), and finishes or undoes a restore that was interrupted. Every entry point
 * holds the dataset's lock (shared with backups) for its whole run.
 *
 * <p>Failure contract: a failure before Redis was stopped changes nothing (the exception is the
 * original one, e.g. exit 3 for a backup that fails verification); a failure after it stops Redis,
 * puts the quarantined files and the original config file back, starts Redis and throws exit 1
 * saying so. If even the rollback fails, the state file stays and the message names the quarantine
 * folder and {@code restore --rollback}.
 */
public final class RestoreService {
  private final BackupContext context;
  private final BackupSources sources;
  private final Clock clock;
  private final RestoreTimeouts timeouts;
  private final TargetProbe.DiskSpace disk;
  private Duration resync = FailoverGuard.DEFAULT_RESYNC;
  private ArchiveSources archives = ArchiveSources.NONE;

  /**
   * What the restore works on, from the configuration of one dataset.
   *
   * @param sentinel the dataset's sentinels, or null: when they monitor the target as their master,
   *     the restore holds their failover off and sees the replicas resynchronised
   */
  public record Target(
      String dataset,
      RedisEndpoint endpoint,
      String configFile,
      ServiceCommands commands,
      SentinelTarget sentinel) {
    public Target(
        String dataset, RedisEndpoint endpoint, String configFile, ServiceCommands commands) {
      this(dataset, endpoint, configFile, commands, null);
    }
  }

  /** Asked once the plan is known; false stops the restore before anything changed. */
  @FunctionalInterface
  public interface Consent {
    boolean approve(RestorePlan plan);
  }

  public RestoreService(
      BackupContext context, BackupSources sources, Clock clock, RestoreTimeouts timeouts) {
    this(context, sources, clock, timeouts, TargetProbe.DiskSpace.REAL);
  }

  RestoreService(
      BackupContext context,
      BackupSources sources,
      Clock clock,
      RestoreTimeouts timeouts,
      TargetProbe.DiskSpace disk) {
    this.context = context;
    this.sources = sources;
    this.clock = clock;
    this.timeouts = timeouts;
    this.disk = disk;
  }

  /** How long the replicas of a Sentinel-monitored master get to resynchronise (tests). */
  RestoreService resyncWithin(Duration bound) {
    this.resync = bound;
    return this;
  }

  /**
   * The point-in-time archives a restore {@code --at} an instant may continue its backup with (in
   * the order tried); without any, {@code --at} restores the newest backup at or before the
   * instant.
   */
  public RestoreService withArchives(ArchiveSources archives) {
    this.archives = archives;
    return this;
  }

  /** The state of an interrupted restore of the dataset, if any. */
  public Optional<RestoreState> interrupted(String dataset) {
    return store(dataset).load();
  }

  /**
   * Chooses the backup and probes the target: every refusal of the pre-flight happens here, nothing
   * is changed and no lock is taken (what {@code --dry-run} shows).
   */
  public RestorePlan plan(Target t, Selection selection, RestoreListener listener)
      throws IOException {
    TargetProbe.refuseOtherHost(t.endpoint());
    List<Manifest> backups = sources.list(t.dataset());
    ArchiveChoice archive =
        selection.at() != null && !archives.isEmpty()
            ? chooseArchive(t.dataset(), backups, selection, listener)
            : null;
    Manifest m =
        archive != null && archive.choice() != null
            ? archive.choice().base()
            : selection.choose(new BackupSelector(backups, t.dataset(), clock.getZone()));
    if (archive != null && archive.choice() == null && archive.anySegments()) {
      // said aloud only where an archive exists: without one, --at is the snapshot restore it was
      listener.warning(
          (selection.archiveEnd()
                  ? "--at now: the archive is not used"
                  : "the archive does not cover " + selection.at())
              + ": "
              + archive.fallback()
              + "; restoring backup "
              + m.id()
              + " (snapshot "
              + m.snapshotTime()
              + ") alone, without the writes after it");
    }
    RestoreTarget target =
        probeRunning(t)
            .orElseGet(
                () -> {
                  listener.notice(
                      "Redis at "
                          + t.endpoint().address()
                          + " does not answer: restoring it as a stopped server,"
                          + " with dir, dbfilename, appendonly and appenddirname from "
                          + t.configFile());
                  return StoppedTargetProbe.probe(t.endpoint(), t.configFile(), t.commands());
                });
    TargetProbe.checkBackup(target, m, disk);
    Path dir = target.dirPath();
    Path quarantine = Quarantine.folderFor(dir, clock, "restore");
    Path staging = dir.resolve(".redis-ops-restore-" + m.id() + ".rdb");
    FailoverHoldOff.Saved holdOff = null;
    if (t.sentinel() != null) {
      holdOff =
          FailoverGuard.probe(t.sentinel(), t.endpoint().host(), t.endpoint().port(), clock)
              .orElse(null);
      if (holdOff == null) {
        listener.notice(
            "Redis at "
                + t.endpoint().address()
                + " is not the master the sentinels of '"
                + t.sentinel().masterName()
                + "' report: their failover is not held off");
      }
    }
    ArchivedStream stream = null;
    if (archive != null && archive.choice() != null) {
      if (!Files.isWritable(target.configPath())) {
        throw RedisOpsException.refused(
            "config file "
                + target.configFile()
                + " is not writable: a restore from the archive sets appendonly yes in it to load"
                + " the AOF it lays out; run as its owner");
      }
      checkArchiveDisk(target, m, archive.choice().segments());
      stream =
          cut(archive, selection, dir.resolve(".redis-ops-restore-" + m.id() + ".aof").toString());
    }
    return plan(
        t,
        m,
        target,
        staging,
        quarantine,
        holdOff,
        stream,
        archive == null ? null : archive.fallback(),
        listener);
  }

  /**
   * Which archive covers {@code at}, with its base and segments; or, in {@code fallback}, why none
   * does.
   */
  private record ArchiveChoice(
      ArchiveSources.Source source,
      io.redisops.recovery.pitr.ArchiveSelection.Choice choice,
      String fallback,
      boolean anySegments) {}

  private ArchiveChoice chooseArchive(
      String dataset, List<Manifest> backups, Selection selection, RestoreListener listener) {
    List<String> reasons = new ArrayList<>();
    boolean any = false;
    for (ArchiveSources.Source s : archives.sources()) {
      List<io.redisops.backup.archive.Segment> segments;
      try {
        segments = s.reader().segments(dataset);
      } catch (IOException | RedisOpsException e) {
        listener.notice("unable to list the " + s.where() + " archive: " + e.getMessage());
        reasons.add(s.where() + " archive: unreadable");
        any = true;
        continue;
      }
      any |= !segments.isEmpty();
      var choice =
          selection.archiveEnd()
              ? io.redisops.recovery.pitr.ArchiveSelection.toEnd(backups, segments)
              : io.redisops.recovery.pitr.ArchiveSelection.choose(
                  backups, segments, selection.at());
      if (choice.covered()) {
        return new ArchiveChoice(s, choice, null, true);
      }
      reasons.add(s.where() + " archive: " + choice.notCovered());
    }
    return new ArchiveChoice(null, null, String.join("; ", reasons), any);
  }

  /**
   * The laid-out AOF holds the RDB and at most the segments' content; then the rewrite (or the
   * BGSAVE) writes about the RDB's size again while it is still there.
   */
  private void checkArchiveDisk(
      RestoreTarget target, Manifest m, List<io.redisops.backup.archive.Segment> chain) {
    long stream = chain.stream().mapToLong(io.redisops.backup.archive.Segment::rawSize).sum();
    long need = 2 * m.rawSize() + stream + TargetProbe.DISK_MARGIN;
    long free;
    try {
      free = disk.usable(target.dirPath());
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to read the free space of " + target.dir() + ": " + e.getMessage(), e);
    }
    if (free < need) {
      throw RedisOpsException.refused(
          "not enough disk in "
              + target.dir()
              + ": the restore from the archive needs "
              + io.redisops.text.Sizes.human(need)
              + " (RDB "
              + io.redisops.text.Sizes.human(m.rawSize())
              + " twice, archived commands up to "
              + io.redisops.text.Sizes.human(stream)
              + "), "
              + io.redisops.text.Sizes.human(free)
              + " are free; free some space first");
    }
  }

  /** Reads the chain once (checksums included) to learn where the cut will be. */
  private ArchivedStream cut(ArchiveChoice a, Selection selection, String layout)
      throws IOException {
    Manifest base = a.choice().base();
    var chain = a.choice().segments();
    // --at now: every command of the chain, up to its last seal
    Instant at = selection.archiveEnd() ? chain.get(chain.size() - 1).sealedAt() : selection.at();
    long lastSecond =
        selection.archiveEnd()
            ? io.redisops.recovery.pitr.ArchiveSelection.endSecond(chain)
            : io.redisops.recovery.pitr.CutRule.lastSecond(at);
    io.redisops.recovery.pitr.StreamCut.Result r =
        io.redisops.recovery.pitr.StreamCut.cut(
            chain, a.source().reader()::open, base.stream(), lastSecond, null);
    PointInTime p =
        new PointInTime(
            at,
            lastSecond,
            a.source().where(),
            chain.get(0).timeline(),
            chain.stream().map(io.redisops.backup.archive.Segment::id).toList(),
            r.firstSegment(),
            r.lastSegment(),
            r.segmentsRead(),
            base.stream().offset(),
            r.cutOffset(),
            r.db(),
            r.commands(),
            r.lastCommand(),
            r.lastCommandSecond() < 0 ? null : Instant.ofEpochSecond(r.lastCommandSecond()),
            r.endedByTime(),
            layout,
            selection.archiveEnd());
    return new ArchivedStream(p, chain, a.source().reader());
  }

  /**
   * The running target as it answers; empty when nothing answers on its address and its config file
   * is known (a crashed Redis, or one that does not load its files: the main reason to restore).
   * Without a config file, a server that does not answer cannot be restored: where its files are is
   * unknown.
   */
  private Optional<RestoreTarget> probeRunning(Target t) {
    RedisSession redis;
    try {
      redis = RedisConnector.connect(t.endpoint(), timeouts.redis());
    } catch (RedisOpsException e) {
      if (e.exitCode() != ExitCode.FAILED) {
        throw e;
      }
      if (t.configFile() == null) {
        throw new RedisOpsException(
            ExitCode.FAILED,
            e.getMessage()
                + "; to restore a Redis that is down, give its"
                + " config file (datasets[].redis.config-file or restore --config-file FILE)",
            e);
      }
      return Optional.empty();
    }
    try (redis) {
      return Optional.of(TargetProbe.probe(redis, t.configFile(), t.commands()));
    }
  }

  /**
   * Restores: takes the lock, refuses when an interrupted restore waits for {@code --resume}/{@code
   * --rollback}, plans, asks {@code consent}, runs the steps.
   *
   * @return the report, or empty when consent was refused (nothing changed)
   */
  @SuppressWarnings("try") // the dataset lock is held through the try block, never referenced in it
  public Optional<RestoreReport> restore(
      Target t, Selection selection, Consent consent, RestoreListener listener) throws IOException {
    try (DatasetLock lock = context.lock(t.dataset())) {
      refuseIfInterrupted(t.dataset(), listener::command);
      RestorePlan plan = plan(t, selection, listener);
      if (!consent.approve(plan)) {
        return Optional.empty();
      }
      RestoreState state =
          new RestoreState(
              RestoreState.FORMAT_VERSION,
              t.dataset(),
              clock.instant(),
              ProcessHandle.current().pid(),
              plan.backup(),
              plan.target(),
              plan.run().staging().toString(),
              plan.quarantine().toString(),
              List.of(),
              null,
              plan.run().guard() == null ? null : plan.run().guard().saved(),
              plan.pointInTime());
      return Optional.of(execute(plan, state, listener));
    }
  }

  /** Finishes an interrupted restore from the step it was in (exit 4 when there is none). */
  @SuppressWarnings("try") // the dataset lock is held through the try block, never referenced in it
  public RestoreReport resume(
      Target t, java.util.function.Predicate<List<String>> consent, RestoreListener listener) {
    try (DatasetLock lock = context.lock(t.dataset())) {
      RestoreState state = requireInterrupted(t.dataset());
      RestorePlan plan = plan(t, state, listener);
      state = refetchIfStagedGone(plan, state, listener);
      List<String> lines = new ArrayList<>();
      lines.add(
          "resume the interrupted restore of dataset "
              + t.dataset()
              + ": backup "
              + state.backup().id()
              + " onto "
              + state.target().address()
              + " (started "
              + state.startedAt()
              + ", interrupted "
              + (state.current() == null ? "between steps" : "at step '" + state.current() + "'")
              + ")");
      lines.add(
          "  finished steps: "
              + (state.done().isEmpty() ? "none" : String.join(", ", state.done())));
      lines.addAll(StepRunner.describe(plan.steps(), state));
      lines.add("  the original data stays in " + state.quarantine());
      if (!consent.test(lines)) {
        throw RedisOpsException.refused("'restore --resume' not confirmed; nothing was changed");
      }
      listener.notice(
          "resuming the restore of backup "
              + state.backup().id()
              + " started "
              + state.startedAt()
              + "; finished steps: "
              + (state.done().isEmpty() ? "none" : String.join(", ", state.done())));
      return execute(plan, state, listener);
    }
  }

  /**
   * An interrupted RDB restore that had fetched its backup but not stopped Redis yet fetches it
   * again when the staged RDB is gone or has another size than the backup's: it is what the stop
   * makes Redis wait for, so it must be whole before the stop.
   */
  private static RestoreState refetchIfStagedGone(
      RestorePlan plan, RestoreState state, RestoreListener listener) {
    if (plan.run().archive() != null
        || !state.done().contains(FetchStep.NAME)
        || !servingTheOriginal(plan, state)
        || StopStep.staged(plan.run())) {
      return state;
    }
    listener.notice(
        "the verified RDB "
            + plan.run().staging()
            + " of the interrupted restore is gone or incomplete; fetching backup "
            + state.backup().id()
            + " again before Redis is stopped");
    return state.redo(FetchStep.NAME);
  }

  /**
   * Whether Redis still runs on its original data: no step that stops it finished, and the one that
   * was running when the restore was interrupted (if any) had not stopped it yet.
   */
  private static boolean servingTheOriginal(RestorePlan plan, RestoreState state) {
    for (RestoreStep s : plan.steps()) {
      if (!s.stopsRedis()) {
        continue;
      }
      if (state.done().contains(s.name())) {
        return false;
      }
      if (s.name().equals(state.current())) {
        long pid = plan.target().pid();
        return pid > 0 && plan.run().control().runningPid() == pid;
      }
    }
    return true;
  }

  /**
   * Undoes an interrupted restore: the original files and config back, Redis started on them (exit
   * 4 when none).
   */
  @SuppressWarnings("try") // the dataset lock is held through the try block, never referenced in it
  public String rollback(
      Target t, java.util.function.Predicate<List<String>> consent, RestoreListener listener)
      throws IOException {
    try (DatasetLock lock = context.lock(t.dataset())) {
      RestoreState state = requireInterrupted(t.dataset());
      RestorePlan plan = plan(t, state, listener);
      List<String> lines = new ArrayList<>();
      lines.add(
          "roll back the interrupted restore of dataset "
              + t.dataset()
              + " (backup "
              + state.backup().id()
              + ", started "
              + state.startedAt()
              + ", interrupted "
              + (state.current() == null ? "between steps" : "at step '" + state.current() + "'")
              + ")");
      lines.add(
          "  stop Redis at "
              + state.target().address()
              + " if it runs on restored files (SHUTDOWN NOSAVE NOW"
              + " FORCE: its data is discarded)");
      List<String> undo =
          StepRunner.toUndo(plan.steps(), state).stream().map(RestoreStep::name).toList();
      lines.add("  undo, last first: " + (undo.isEmpty() ? "nothing" : String.join(", ", undo)));
      lines.add(
          "  start Redis on its original files from "
              + state.quarantine()
              + " and its original config file");
      if (!consent.test(lines)) {
        throw RedisOpsException.refused("'restore --rollback' not confirmed; nothing was changed");
      }
      String summary = rollback(plan, state, listener);
      store(t.dataset()).delete();
      return summary;
    }
  }

  @SuppressWarnings(
      "ClosingStandardOutputStreams") // closing the guard removes its hook, never System.err
  private RestoreReport execute(RestorePlan plan, RestoreState state, RestoreListener listener) {
    try (InterruptGuard guard =
        new InterruptGuard(
            plan,
            state,
            store(state.dataset()),
            st -> touched(plan, st),
            listener::command,
            System.err)) {
      return execute(plan, state, listener, guard);
    }
  }

  private RestoreReport execute(
      RestorePlan plan, RestoreState state, RestoreListener listener, InterruptGuard store) {
    StepRunner.Result<RestoreStep, RestoreState> result =
        StepRunner.run(
            plan.steps(),
            plan.run(),
            state,
            store::save,
            clock,
            new StepRunner.Listener<RestoreStep>() {
              @Override
              public void started(int number, int total, RestoreStep step, Instant at) {
                listener.stepStarted(number, total, step, at);
              }

              @Override
              public void finished(
                  int number, int total, RestoreStep step, Duration took, String outcome) {
                listener.stepFinished(number, total, step, took, outcome);
              }

              @Override
              public void failed(
                  int number, int total, RestoreStep step, Duration took, String reason) {
                listener.stepFailed(number, total, step, took, reason);
              }
            });
    if (!result.ok()) {
      throw failed(
          plan,
          result.state(),
          result.failed(),
          result.reason(),
          result.failure(),
          listener,
          store);
    }
    store.finished();
    listener.notice(
        "the data that was replaced is kept in "
            + plan.quarantine()
            + "; delete it once satisfied");
    if (plan.run().guard() != null && !plan.run().guard().problems().isEmpty()) {
      // The master's data is the restored one and stays: what is missing is said, not rolled back.
      throw RedisOpsException.failed(
          "restore of backup "
              + plan.backup().id()
              + " done on the master "
              + plan.target().address()
              + " (its data stays restored), but: "
              + String.join("; ", plan.run().guard().problems()));
    }
    List<RestoreReport.StepRecord> records =
        result.records().stream()
            .map(r -> new RestoreReport.StepRecord(r.name(), r.at(), r.tookMillis(), r.outcome()))
            .toList();
    return new RestoreReport(
        state.dataset(),
        plan.backup().id(),
        plan.backup().snapshotTime(),
        plan.target().address(),
        plan.quarantine().toString(),
        records,
        plan.pointInTime(),
        plan.archiveFallback());
  }

  /** Rolls back after a failed step and builds the one-line error. */
  private RedisOpsException failed(
      RestorePlan plan,
      RestoreState state,
      RestoreStep failedStep,
      String reason,
      Exception cause,
      RestoreListener listener,
      InterruptGuard store) {
    boolean touched = touched(plan, state);
    try {
      String summary = rollback(plan, state, listener);
      store.finished();
      if (!touched && cause instanceof RedisOpsException r) {
        // Nothing was changed: the precise error (e.g. exit 3 for a damaged backup) is the report.
        return new RedisOpsException(
            r.exitCode(), r.getMessage() + "; nothing was changed, Redis kept serving its data", r);
      }
      return new RedisOpsException(
          ExitCode.FAILED,
          "restore of backup "
              + plan.backup().id()
              + " failed at step '"
              + failedStep.name()
              + "': "
              + reason
              + "; rolled back: "
              + summary,
          cause);
    } catch (IOException | RuntimeException e) {
      String why =
          e instanceof RedisOpsException
              ? e.getMessage()
              : e.getClass().getSimpleName() + ": " + e.getMessage();
      return new RedisOpsException(
          ExitCode.FAILED,
          "restore of backup "
              + plan.backup().id()
              + " failed at step '"
              + failedStep.name()
              + "': "
              + reason
              + "; the ROLLBACK FAILED too: "
              + why
              + "; the original data is in "
              + plan.quarantine()
              + " (config file copy "
              + plan.run().configCopy().getFileName()
              + "); fix the cause, then run"
              + " 'redis-ops restore --rollback'",
          cause);
    }
  }

  private static boolean touched(RestorePlan plan, RestoreState state) {
    return StepRunner.touched(plan.steps(), state);
  }

  /**
   * Undoes the steps that ran (and the one running) in reverse order between a stop and a start of
   * Redis, unless the original Redis process never stopped.
   */
  private String rollback(RestorePlan plan, RestoreState state, RestoreListener listener)
      throws IOException {
    RestoreRun run = plan.run();
    StepRunner.RolledBack done =
        StepRunner.rollback(
            plan.steps(),
            state,
            run,
            run.control(),
            plan.target().pid(),
            listener::notice,
            run.progress());
    if (done == StepRunner.RolledBack.UNTOUCHED) {
      return "nothing had been changed; Redis kept serving its data";
    }
    if (done == StepRunner.RolledBack.LEFT_STOPPED) {
      // Starting it on the files it could not run on would only fail again.
      return "the original files and config file are back; Redis was down before the restore and is left stopped";
    }
    try (RedisSession redis = run.control().connect()) {
      Map<Integer, Long> keys = KeyCounts.loaded(redis);
      return "the original files and config file are back and Redis serves the original data again ("
          + KeyCounts.total(keys)
          + " keys"
          + (keys.isEmpty() ? "" : ": " + Manifest.describeKeys(keys))
          + ")";
    }
  }

  private RestorePlan plan(Target t, RestoreState s, RestoreListener listener) {
    if (!s.target().address().equals(t.endpoint().address())) {
      // restore --to: the interrupted restore went into another server than the one named now
      throw RedisOpsException.usage(
          "the interrupted restore of dataset "
              + s.dataset()
              + " was into Redis at "
              + s.target().address()
              + ", not "
              + t.endpoint().address()
              + "; give the same target (restore --to "
              + s.target().address()
              + ", or no --to for the dataset's own Redis)");
    }
    if (s.target().supervisedBy() != null && !t.commands().bothConfigured()) {
      throw RedisOpsException.refused(
          "Redis at "
              + s.target().address()
              + " runs under a service manager ("
              + s.target().supervisedBy()
              + "); set datasets[].redis.stop-command and start-command first");
    }
    if (s.failoverHoldOff() != null && t.sentinel() == null) {
      throw RedisOpsException.usage(
          "the interrupted restore held off the failover of '"
              + s.failoverHoldOff().masterName()
              + "' but the dataset has no sentinel section now; put it back, or set the quorum back"
              + " by hand: "
              + s.failoverHoldOff().byHand());
    }
    return plan(
        t,
        s.backup(),
        s.target(),
        Path.of(s.staging()),
        Path.of(s.quarantine()),
        s.failoverHoldOff(),
        s.pointInTime() == null ? null : reopen(t.dataset(), s.pointInTime()),
        null,
        listener);
  }

  /**
   * The archived stream an interrupted restore applied, found again by its segment ids. Whatever
   * cannot be found is left out: only a rerun of the {@code archive} step reads the segments (and
   * then says what is missing); a rollback and the later steps need the cut alone.
   */
  private ArchivedStream reopen(String dataset, PointInTime p) {
    Optional<ArchiveSources.Source> s = archives.named(p.archive());
    List<io.redisops.backup.archive.Segment> chain = new ArrayList<>();
    if (s.isPresent()) {
      try {
        List<io.redisops.backup.archive.Segment> all = s.get().reader().segments(dataset);
        for (String id : p.segments()) {
          all.stream()
              .filter(x -> x.id().equals(id) && x.timeline().equals(p.timeline()))
              .findFirst()
              .ifPresent(chain::add);
        }
      } catch (IOException | RedisOpsException e) {
        chain.clear();
      }
    }
    return new ArchivedStream(p, chain, s.map(ArchiveSources.Source::reader).orElse(null));
  }

  private RestorePlan plan(
      Target t,
      Manifest m,
      RestoreTarget target,
      Path staging,
      Path quarantine,
      FailoverHoldOff.Saved holdOff,
      ArchivedStream stream,
      String archiveFallback,
      RestoreListener listener) {
    ProcessControl control =
        new ProcessControl(t.endpoint(), target.server(), t.commands(), timeouts.control(), clock);
    RestoreRun run =
        new RestoreRun(
            t.dataset(),
            m,
            target,
            sources,
            control,
            staging,
            quarantine,
            listener.progress(),
            listener::notice,
            holdOff == null ? null : new FailoverGuard(t.sentinel(), holdOff, clock, resync),
            stream);
    return new RestorePlan(run, timeouts, archiveFallback);
  }

  /**
   * Refuses (exit 5) when an interrupted restore of the dataset waits for {@code --resume} or
   * {@code --rollback}: a new one would take its quarantine for the current data. {@code --dry-run}
   * says the same as the real command.
   */
  public void refuseIfInterrupted(
      String dataset, java.util.function.Function<String, String> command) {
    Optional<RestoreState> s = store(dataset).load();
    if (s.isPresent()) {
      RestoreState st = s.get();
      boolean quarantined = Files.isDirectory(Path.of(st.quarantine()));
      throw RedisOpsException.refused(
          "a restore of dataset "
              + dataset
              + " (backup "
              + st.backup().id()
              + ", started "
              + st.startedAt()
              + ") was interrupted"
              + (st.current() == null ? "" : " at step '" + st.current() + "'")
              + (quarantined
                  ? "; the original data is in " + st.quarantine()
                  : "; Redis's files were not moved yet (no " + st.quarantine() + ")")
              + (st.failoverHoldOff() == null
                  ? ""
                  : "; the sentinels' failover of '"
                      + st.failoverHoldOff().masterName()
                      + "' may still be held off (quorum raised) until then")
              + "; run '"
              + command.apply("--resume")
              + "' to finish it or '"
              + command.apply("--rollback")
              + "' to undo it");
    }
  }

  private RestoreState requireInterrupted(String dataset) {
    return store(dataset)
        .load()
        .orElseThrow(
            () ->
                RedisOpsException.notFound(
                    "no interrupted restore of dataset "
                        + dataset
                        + " (no "
                        + store(dataset).file()
                        + ")"));
  }

  private RestoreStateStore store(String dataset) {
    return new RestoreStateStore(context.lockDir(), dataset);
  }
}
