package io.redisops.recovery.aof;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.recovery.aof.AofSteps.AofText;
import io.redisops.recovery.kernel.ProcessControl;
import io.redisops.recovery.kernel.Quarantine;
import io.redisops.recovery.kernel.ServiceCommands;
import io.redisops.recovery.kernel.StateStore;
import io.redisops.recovery.restore.RedisConfigFile;
import io.redisops.redis.InfoParser;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code aof check}, {@code aof repair} and {@code aof undo-flushall}: finds the AOF, checks it,
 * and makes the plans, new ones and those that finish ({@link #resume}) or undo ({@link #rollback})
 * an interrupted run. Plans are run by {@link AofPlan#execute}; nothing here changes a file or a
 * server. Redis is stopped and started the way restore does it ({@link ProcessControl}: the
 * configured stop and start commands, a service manager honoured).
 */
public final class AofService {
  /**
   * Default {@code --max-loss}: a torn last command is a few hundred bytes; more hints at real
   * damage.
   */
  public static final long DEFAULT_MAX_LOSS = 4096;

  private final AofChecker checker;
  private final Clock clock;
  private final ProcessControl.Timeouts timeouts;
  private final Duration connectTimeout;

  /**
   * The Redis the AOF tools work on, from the configuration of one dataset: what restore is given
   * too.
   *
   * @param endpoint where it answers
   * @param configFile {@code datasets[].redis.config-file}, or null (then {@code config_file} from
   *     INFO); it also tells where the data directory is while Redis is down ({@code --resume},
   *     {@code --rollback})
   * @param commands {@code datasets[].redis.start-command} / {@code stop-command}
   */
  public record Target(RedisEndpoint endpoint, String configFile, ServiceCommands commands) {
    /** A Redis with the default commands and no configured config file. */
    public static Target of(RedisEndpoint endpoint) {
      return new Target(endpoint, null, ServiceCommands.defaults());
    }
  }

  /**
   * @param checker the AOF checker (redis-check-aof)
   * @param clock the clock of every wait and of the quarantine's name
   * @param timeouts how long the stop and the start of Redis may take
   * @param connectTimeout connecting to Redis
   */
  public AofService(
      AofChecker checker, Clock clock, ProcessControl.Timeouts timeouts, Duration connectTimeout) {
    this.checker = checker;
    this.clock = clock;
    this.timeouts = timeouts;
    this.connectTimeout = connectTimeout;
  }

  /**
   * What {@code aof repair} is asked.
   *
   * @param dir {@code --dir}, or null to ask the running Redis
   * @param stop {@code --stop}: stop a running Redis and start it again after
   * @param maxLoss without force, the most bytes a repair may cut
   * @param force cut whatever redis-check-aof cuts
   * @param commandPrefix how the operator calls redis-ops (for the restore advice), e.g. {@code
   *     redis-ops --dataset cache}
   */
  public record RepairOptions(
      Path dir, boolean stop, long maxLoss, boolean force, String commandPrefix) {}

  /** Checks the AOF under {@code dir}, or the one of the running Redis when {@code dir} is null. */
  public AofReport check(Path dir, RedisEndpoint endpoint) {
    if (dir != null) {
      return checker.check(AofLocator.fromDir(dir));
    }
    try (RedisSession redis = connect(endpoint)) {
      return checker.check(AofLocator.fromRedis(redis));
    }
  }

  /**
   * The repair plan. Nothing to do when the AOF is valid.
   *
   * @throws RedisOpsException integrity (3) for damage it must not repair (base, an incr file that
   *     is not the last), with the restore command; refused (5) when the loss is larger than
   *     allowed or Redis runs without --stop
   */
  public AofPlan planRepair(RepairOptions o, RedisEndpoint endpoint) {
    return planRepair(o, Target.of(endpoint));
  }

  /**
   * The repair plan for {@code target}, whose stop and start commands it uses; see {@link
   * #planRepair}.
   */
  public AofPlan planRepair(RepairOptions o, Target target) {
    RedisEndpoint endpoint = target.endpoint();
    RedisSession redis = null;
    try {
      AofLocation location;
      if (o.dir() == null) {
        redis = connect(endpoint);
        location = AofLocator.fromRedis(redis);
      } else {
        location = AofLocator.fromDir(o.dir());
        redis = runningOn(endpoint, location).orElse(null);
      }
      refuseIfInterrupted(location.dataDir(), o.commandPrefix());
      ProcessControl.Server server =
          redis == null ? null : ProcessControl.Server.probe(redis, "the AOF");
      long pid = redis == null ? -1 : pid(redis);
      long keys = redis == null ? -1 : keys(redis);
      AofReport report = checker.check(location);
      List<String> findings = new ArrayList<>(findings(report));
      Path quarantine = Quarantine.folderFor(location.dataDir(), clock, "repair");
      if (report.valid()) {
        findings.add("the AOF is valid: nothing to repair");
        return new AofPlan(
            "repair",
            AofPlan.Mode.NEW,
            new AofRun(checker, location, null, null),
            report,
            findings,
            List.of(),
            null,
            null,
            clock,
            o.commandPrefix());
      }
      AofFileReport damaged = report.damagedFile().orElse(null);
      if (report.damage() != AofReport.Damage.LAST_FILE || damaged == null) {
        throw new RedisOpsException(
            ExitCode.INTEGRITY,
            notRepairable(report, damaged)
                + "; restore from a backup: "
                + restoreCommand(o.commandPrefix(), report.lastIntactTime().orElse(null)));
      }
      String loss =
          AofText.bytes(damaged.bytesAfter())
              + " ("
              + AofText.commands(damaged.commandsAfter())
              + ") after byte "
              + damaged.validUpTo()
              + " of "
              + damaged.name()
              + lastIntact(report);
      if (!o.force() && (damaged.commandsAfter() > 1 || damaged.bytesAfter() > o.maxLoss())) {
        throw RedisOpsException.refused(
            "the repair would cut "
                + loss
                + ": more than a torn last command (at most 1"
                + " command and "
                + o.maxLoss()
                + " bytes without --force); rerun with --force to accept the loss, or restore: "
                + restoreCommand(o.commandPrefix(), report.lastIntactTime().orElse(null)));
      }
      if (redis != null && !o.stop()) {
        throw RedisOpsException.refused(
            "Redis at "
                + endpoint
                + " (pid "
                + pid
                + ") is running on this AOF;"
                + " stop it first, or add --stop to let redis-ops stop it ("
                + target.commands().describeStop()
                + ") and start it again");
      }
      if (redis != null) {
        checkRestartable(server, pid, target, "the repair");
      }
      findings.add("the repair cuts " + loss);
      AofState state =
          new AofState(
              AofState.FORMAT_VERSION,
              "repair",
              clock.instant(),
              ProcessHandle.current().pid(),
              endpoint.address(),
              location.dataDir().toString(),
              server,
              pid,
              keys,
              quarantine.toString(),
              damaged,
              null,
              -1,
              damaged.bytesAfter(),
              damaged.commandsAfter(),
              List.of(),
              report.lastIntactTime().orElse(null),
              List.of(),
              null);
      return plan(state, AofPlan.Mode.NEW, location, report, findings, target, o.commandPrefix());
    } finally {
      closeQuietly(redis);
    }
  }

  /**
   * The undo plan: the last file must end with FLUSHALL/FLUSHDB (any variant), with no rewrite and
   * no write since.
   *
   * @throws RedisOpsException refused (5) saying why it cannot be undone, with the restore command
   */
  public AofPlan planUndoFlushall(RedisEndpoint endpoint, String commandPrefix) {
    return planUndoFlushall(Target.of(endpoint), commandPrefix);
  }

  /**
   * The undo plan for {@code target}, whose stop and start commands it uses; see {@link
   * #planUndoFlushall}.
   */
  public AofPlan planUndoFlushall(Target target, String commandPrefix) {
    RedisEndpoint endpoint = target.endpoint();
    RedisSession redis = connect(endpoint);
    try {
      String restore = restoreCommand(commandPrefix, null);
      if (!redis.configGet("appendonly").map("yes"::equalsIgnoreCase).orElse(false)) {
        throw RedisOpsException.refused(
            "Redis at "
                + endpoint
                + " runs with appendonly no: there is no log to undo"
                + " the flush from; restore from a backup: "
                + restore);
      }
      Map<String, String> persistence = redis.info("persistence");
      if ("1".equals(persistence.get("aof_rewrite_in_progress"))
          || "1".equals(persistence.get("aof_rewrite_scheduled"))) {
        throw RedisOpsException.refused(
            "an AOF rewrite is running or scheduled on Redis at "
                + endpoint
                + ": it drops the flush from the log; if it has finished, the flush cannot be undone; restore: "
                + restore);
      }
      AofLocation location = AofLocator.fromRedis(redis);
      refuseIfInterrupted(location.dataDir(), commandPrefix);
      ProcessControl.Server server = ProcessControl.Server.probe(redis, "the AOF");
      long pid = pid(redis);
      long keys = keys(redis);
      AofReport report = checker.check(location);
      if (!report.valid()) {
        throw new RedisOpsException(
            ExitCode.INTEGRITY,
            "the AOF is damaged ("
                + report.toolSays()
                + "); repair it first with 'aof repair --stop', or restore: "
                + restore);
      }
      AofFile last = location.last();
      if (!last.type().holdsCommands() || AofChecker.startsWithRdb(last.path())) {
        throw RedisOpsException.refused(
            "the last AOF file "
                + last.name()
                + " starts with an RDB preamble (single-file"
                + " AOF of Redis before 7.0), which redis-ops does not edit; restore: "
                + restore);
      }
      long size = AofSteps.size(last.path());
      CommandLog.Scan scan = CommandLog.scan(last.path(), 0, Long.MAX_VALUE);
      if (scan.trailingFlush() == null) {
        throw RedisOpsException.refused(
            whyNot(location, scan, redis) + "; restore from a backup: " + restore);
      }
      checkRestartable(server, pid, target, "the undo");
      CommandLog.TrailingFlush flush = scan.trailingFlush();
      List<String> findings = new ArrayList<>(findings(report));
      findings.add(
          last.name()
              + " ends with "
              + AofText.list(flush.commands())
              + " ("
              + flush.bytes()
              + " bytes from byte "
              + flush.cutAt()
              + ")"
              + (scan.lastTimestamp() == null ? "" : ", logged at " + scan.lastTimestamp()));
      findings.add("keys now: " + keys);
      Path quarantine = Quarantine.folderFor(location.dataDir(), clock, "undo-flushall");
      long flushes = flush.commands().stream().filter(c -> c.startsWith("FLUSH")).count();
      AofState state =
          new AofState(
              AofState.FORMAT_VERSION,
              "undo-flushall",
              clock.instant(),
              ProcessHandle.current().pid(),
              endpoint.address(),
              location.dataDir().toString(),
              server,
              pid,
              keys,
              quarantine.toString(),
              null,
              flush,
              size,
              flush.bytes(),
              flushes,
              flush.commands(),
              report.lastIntactTime().orElse(null),
              List.of(),
              null);
      return plan(state, AofPlan.Mode.NEW, location, report, findings, target, commandPrefix);
    } finally {
      closeQuietly(redis);
    }
  }

  /**
   * The rest of an interrupted {@code aof <action>} ({@code --resume}): its saved state, the steps
   * it did not finish.
   *
   * @param dir the data directory ({@code --dir}), or null: asked from the running Redis, else read
   *     from the configured config file
   * @throws RedisOpsException not found (4) when no run of {@code action} was interrupted there
   */
  public AofPlan resume(String action, Path dir, Target target, String commandPrefix) {
    return interruptedPlan(action, dir, target, commandPrefix, AofPlan.Mode.RESUME);
  }

  /** The undo of an interrupted {@code aof <action>} ({@code --rollback}); see {@link #resume}. */
  public AofPlan rollback(String action, Path dir, Target target, String commandPrefix) {
    return interruptedPlan(action, dir, target, commandPrefix, AofPlan.Mode.ROLLBACK);
  }

  private AofPlan interruptedPlan(
      String action, Path dir, Target target, String commandPrefix, AofPlan.Mode mode) {
    Path dataDir = dataDir(dir, target);
    StateStore<AofState> store = AofState.store(dataDir);
    AofState state =
        store
            .load()
            .orElseThrow(
                () ->
                    RedisOpsException.notFound(
                        "no interrupted aof "
                            + action
                            + " in "
                            + dataDir
                            + " (no "
                            + store.file()
                            + ")"));
    String prefix = commandPrefix == null || commandPrefix.isBlank() ? "redis-ops" : commandPrefix;
    if (!state.action().equals(action)) {
      throw RedisOpsException.refused(
          "the interrupted run in "
              + dataDir
              + " is an aof "
              + state.action()
              + "; run '"
              + prefix
              + " aof "
              + state.action()
              + " --resume' or '--rollback'");
    }
    if (state.server() != null) {
      ProcessControl.refuseUnmanageable(
          state.address(), state.server().supervisedBy(), target.commands(), "the " + action);
    }
    AofLocation location = AofLocator.fromDir(Path.of(state.dataDir()));
    AofReport report = checker.check(location);
    List<String> findings = new ArrayList<>();
    findings.add(
        (mode == AofPlan.Mode.RESUME ? "resume" : "roll back")
            + " the interrupted aof "
            + action
            + " of "
            + state.dataDir()
            + " (started "
            + state.startedAt()
            + ", interrupted "
            + state.where()
            + ")");
    findings.add(
        "finished steps: " + (state.done().isEmpty() ? "none" : String.join(", ", state.done())));
    findings.add("the AOF as it was is copied in " + state.quarantine());
    return plan(state, mode, location, report, findings, target, commandPrefix);
  }

  private AofPlan plan(
      AofState state,
      AofPlan.Mode mode,
      AofLocation location,
      AofReport report,
      List<String> findings,
      Target target,
      String commandPrefix) {
    ProcessControl control =
        state.server() == null
            ? null
            : new ProcessControl(
                target.endpoint(), state.server(), target.commands(), timeouts, clock);
    AofRun run = new AofRun(checker, location, control, Path.of(state.quarantine()));
    return new AofPlan(
        state.action(),
        mode,
        run,
        report,
        findings,
        AofSteps.of(state, location, control),
        state,
        AofState.store(location.dataDir()),
        clock,
        commandPrefix);
  }

  /**
   * Refuses (exit 5) a new repair or undo while one in the same data directory waits for {@code
   * --resume} or {@code --rollback}: a new one would edit an AOF whose state is unknown.
   */
  private static void refuseIfInterrupted(Path dataDir, String commandPrefix) {
    StateStore<AofState> store = AofState.store(dataDir);
    store
        .load()
        .ifPresent(
            s -> {
              String prefix =
                  commandPrefix == null || commandPrefix.isBlank() ? "redis-ops" : commandPrefix;
              throw RedisOpsException.refused(
                  "an aof "
                      + s.action()
                      + " of "
                      + dataDir
                      + " (started "
                      + s.startedAt()
                      + ") was interrupted "
                      + s.where()
                      + "; the AOF as it was is in "
                      + s.quarantine()
                      + "; run '"
                      + prefix
                      + " aof "
                      + s.action()
                      + " --resume' to finish it or '"
                      + prefix
                      + " aof "
                      + s.action()
                      + " --rollback' to undo it");
            });
  }

  /**
   * The data directory: {@code --dir}, else the running Redis's {@code dir}, else the config
   * file's.
   */
  private Path dataDir(Path dir, Target target) {
    if (dir != null) {
      Path d = dir.toAbsolutePath().normalize();
      // --dir names the data directory or the AOF folder inside it
      return Files.exists(AofState.store(d).file()) || d.getParent() == null
          ? d
          : Files.exists(AofState.store(d.getParent()).file()) ? d.getParent() : d;
    }
    Optional<RedisSession> running = tryConnect(target.endpoint());
    if (running.isPresent()) {
      try (RedisSession redis = running.get()) {
        return Path.of(redis.configGet("dir").orElseThrow());
      }
    }
    if (target.configFile() != null) {
      try {
        Optional<String> d = new RedisConfigFile(Path.of(target.configFile())).get("dir");
        if (d.isPresent()) {
          return Path.of(d.get().replaceAll("^[\"']|[\"']$", ""));
        }
      } catch (IOException e) {
        throw RedisOpsException.usage(
            "unable to read the config file " + target.configFile() + ": " + e.getMessage());
      }
    }
    throw RedisOpsException.usage(
        "Redis at "
            + target.endpoint()
            + " does not answer, so where its data is is"
            + " unknown; give its data directory with --dir, or set datasets[].redis.config-file");
  }

  /**
   * Checks up front that the stop and the start can work, so nothing is stopped that cannot be
   * started: the process runs on this host; a service manager is obeyed (both commands configured);
   * the default start has a config file.
   *
   * @throws RedisOpsException refused (5) naming what is missing
   */
  private static void checkRestartable(
      ProcessControl.Server server, long pid, Target target, String what) {
    RedisEndpoint endpoint = target.endpoint();
    String notHere = ProcessControl.whyNotTheServer(pid, server.executable());
    if (notHere != null) {
      throw RedisOpsException.refused(
          "Redis at "
              + endpoint
              + " (pid "
              + pid
              + ") does not run on this host ("
              + notHere
              + ");"
              + " stop it where it runs and give its data directory with --dir");
    }
    ProcessControl.refuseUnmanageable(
        endpoint.address(), server.supervisedBy(), target.commands(), what);
    if (target.commands().start() != null) {
      return;
    }
    if (server.configFile() == null) {
      throw RedisOpsException.refused(
          "Redis at "
              + endpoint
              + " was started without a config file, so redis-ops"
              + " could not start it again; stop it yourself and give its data directory with --dir, or set"
              + " datasets[].redis.start-command");
    }
    if (!Files.isReadable(Path.of(server.configFile()))) {
      throw RedisOpsException.refused(
          "the config file '"
              + server.configFile()
              + "' of Redis at "
              + endpoint
              + " is not readable here; redis-ops could not start it again");
    }
  }

  private static long pid(RedisSession redis) {
    return Long.parseLong(redis.info("server").getOrDefault("process_id", "-1"));
  }

  /** Keys in all databases ({@code INFO keyspace}). */
  static long keys(RedisSession redis) {
    long n = 0;
    for (Map.Entry<String, String> e : redis.info("keyspace").entrySet()) {
      if (e.getKey().startsWith("db")) {
        n += InfoParser.keyspaceEntry(e.getValue()).getOrDefault("keys", 0L);
      }
    }
    return n;
  }

  /**
   * Why the log's end cannot be cut: writes after the flush, or no flush in the log since the last
   * rewrite.
   */
  private String whyNot(AofLocation location, CommandLog.Scan scan, RedisSession redis) {
    if (scan.lastFlush() != null) {
      return "the last "
          + scan.lastFlush()
          + " in "
          + location.last().name()
          + " is followed by "
          + AofText.commands(scan.commandsAfterLastFlush())
          + " (writes after the flush would be lost with it)";
    }
    AofFile base = location.files().get(0);
    String when = "";
    try {
      when =
          " at "
              + Files.getLastModifiedTime(base.path()).toInstant().truncatedTo(ChronoUnit.SECONDS);
    } catch (IOException ignored) {
      // the time only makes the message nicer
    }
    String rewrites = redis.info("persistence").getOrDefault("aof_rewrites", "?");
    return "no FLUSHALL or FLUSHDB in the AOF since its last rewrite (base "
        + base.name()
        + " written"
        + when
        + ", aof_rewrites="
        + rewrites
        + " since Redis started): a rewrite since the flush has dropped it from the log,"
        + " so the data before it is gone from the AOF";
  }

  private static List<String> findings(AofReport r) {
    List<String> out = new ArrayList<>();
    out.add("AOF: " + r.location().target());
    for (AofFileReport f : r.files()) {
      out.add(AofReports.line(f));
    }
    return out;
  }

  private static String notRepairable(AofReport r, AofFileReport damaged) {
    return switch (r.damage()) {
      case BASE ->
          "the base file "
              + (damaged == null ? "" : damaged.name() + " ")
              + "is damaged, which redis-check-aof"
              + " cannot fix";
      case NOT_LAST_FILE ->
          (damaged == null ? "a file" : damaged.name())
              + " is damaged but is not the last incr file;"
              + " redis-check-aof fixes only the last one, and cutting it would drop every later file";
      default ->
          "the AOF is not usable ("
              + (damaged != null && damaged.problem() != null
                  ? damaged.name() + " " + damaged.problem()
                  : r.toolSays())
              + ")";
    };
  }

  private static String lastIntact(AofReport r) {
    return r.lastIntactTime().map(t -> "; the last intact command was logged at " + t).orElse("");
  }

  /**
   * The exact restore command: to the second of the last intact command when known, else the latest
   * backup.
   */
  static String restoreCommand(String prefix, Instant lastIntact) {
    String p = prefix == null || prefix.isBlank() ? "redis-ops" : prefix;
    return lastIntact == null
        ? p + " restore --latest"
        : p + " restore --at " + lastIntact.truncatedTo(ChronoUnit.SECONDS);
  }

  private RedisSession connect(RedisEndpoint endpoint) {
    try {
      return RedisConnector.connect(endpoint, connectTimeout);
    } catch (RedisOpsException e) {
      if (e.exitCode() == ExitCode.FAILED) {
        throw new RedisOpsException(
            ExitCode.FAILED,
            e.getMessage() + "; when Redis is down, give its data directory" + " with --dir",
            e);
      }
      throw e;
    }
  }

  /** A session to the Redis at {@code endpoint}, or empty when nothing answers there. */
  private Optional<RedisSession> tryConnect(RedisEndpoint endpoint) {
    return ProcessControl.tryConnect(endpoint, connectTimeout);
  }

  /**
   * A session to the Redis at {@code endpoint} when it runs and uses this AOF; empty when it is
   * down or another one.
   */
  private Optional<RedisSession> runningOn(RedisEndpoint endpoint, AofLocation location) {
    Optional<RedisSession> connected = tryConnect(endpoint);
    if (connected.isEmpty()) {
      return Optional.empty();
    }
    RedisSession s = connected.get();
    try {
      AofLocation its = AofLocator.fromRedis(s);
      if (same(its.aofDir(), location.aofDir())) {
        return Optional.of(s);
      }
    } catch (RedisOpsException notHere) {
      // its AOF is elsewhere or off: not the one we repair
    }
    closeQuietly(s);
    return Optional.empty();
  }

  private static boolean same(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
  }

  private static void closeQuietly(RedisSession s) {
    if (s != null) {
      try {
        s.close();
      } catch (RuntimeException ignored) {
        // closing after a failure: the failure is what matters
      }
    }
  }
}
