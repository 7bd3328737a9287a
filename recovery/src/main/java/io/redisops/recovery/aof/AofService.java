package io.redisops.recovery.aof;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.recovery.aof.AofSteps.AofText;
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
 * {@code aof check}, {@code aof repair} and {@code aof undo-flushall}: finds the AOF, checks it, and makes the plans.
 * Plans are run by {@link AofPlan#execute}; nothing here changes a file or a server.
 */
public final class AofService {
  /** Default {@code --max-loss}: a torn last command is a few hundred bytes; more hints at real damage. */
  public static final long DEFAULT_MAX_LOSS = 4096;

  private final AofChecker checker;
  private final RedisServerControl control;
  private final Clock clock;
  private final Duration connectTimeout;

  public AofService(AofChecker checker, RedisServerControl control, Clock clock, Duration connectTimeout) {
    this.checker = checker;
    this.control = control;
    this.clock = clock;
    this.connectTimeout = connectTimeout;
  }

  /**
   * What {@code aof repair} is asked.
   *
   * @param dir {@code --dir}, or null to ask the running Redis
   * @param stop {@code --stop}: stop a running Redis and start it again after
   * @param maxLoss without force, the most bytes a repair may cut
   * @param force cut whatever redis-check-aof cuts
   * @param commandPrefix how the operator calls redis-ops (for the restore advice), e.g. {@code redis-ops --dataset cache}
   */
  public record RepairOptions(Path dir, boolean stop, long maxLoss, boolean force, String commandPrefix) {}

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
   * @throws RedisOpsException integrity (3) for damage it must not repair (base, an incr file that is not the last),
   *     with the restore command; refused (5) when the loss is larger than allowed or Redis runs without --stop
   */
  public AofPlan planRepair(RepairOptions o, RedisEndpoint endpoint) {
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
      RedisServerControl.ServerFacts facts = redis == null ? null : RedisServerControl.facts(redis);
      AofReport report = checker.check(location);
      List<String> findings = new ArrayList<>(findings(report));
      AofRun run = new AofRun(endpoint, checker, control, location, report, redis, facts);
      if (report.valid()) {
        findings.add("the AOF is valid: nothing to repair");
        return new AofPlan("repair", run, findings, List.of(), 0, 0, List.of(), false, null);
      }
      AofFileReport damaged = report.damagedFile().orElse(null);
      if (report.damage() != AofReport.Damage.LAST_FILE || damaged == null) {
        throw new RedisOpsException(ExitCode.INTEGRITY, notRepairable(report, damaged) + "; restore from a backup: "
            + restoreCommand(o.commandPrefix(), report.lastIntactTime().orElse(null)));
      }
      String loss = AofText.bytes(damaged.bytesAfter()) + " (" + AofText.commands(damaged.commandsAfter()) + ") after byte "
          + damaged.validUpTo() + " of " + damaged.name() + lastIntact(report);
      if (!o.force() && (damaged.commandsAfter() > 1 || damaged.bytesAfter() > o.maxLoss())) {
        throw RedisOpsException.refused("the repair would cut " + loss + ": more than a torn last command (at most 1"
            + " command and " + o.maxLoss() + " bytes without --force); rerun with --force to accept the loss, or restore: "
            + restoreCommand(o.commandPrefix(), report.lastIntactTime().orElse(null)));
      }
      if (redis != null && !o.stop()) {
        throw RedisOpsException.refused("Redis at " + endpoint + " (pid " + facts.pid() + ") is running on this AOF;"
            + " stop it first, or add --stop to let redis-ops stop it (SHUTDOWN NOSAVE) and start it again");
      }
      if (redis != null) {
        RedisServerControl.checkRestartable(facts, endpoint);
      }
      findings.add("the repair cuts " + loss);
      Path quarantine = Quarantine.folderFor(location, clock, "repair");
      List<AofStep> steps = new ArrayList<>();
      if (redis != null) {
        steps.add(new AofSteps.StopRedis());
        steps.add(new AofSteps.RecheckDamage(damaged));
      }
      steps.add(new AofSteps.QuarantineCopy(quarantine));
      steps.add(new AofSteps.Fix(damaged));
      steps.add(new AofSteps.CheckAfter());
      if (redis != null) {
        steps.add(new AofSteps.StartRedis());
      }
      return new AofPlan("repair", run, findings, steps, damaged.bytesAfter(), damaged.commandsAfter(), List.of(),
          false, quarantine);
    } catch (RuntimeException e) {
      closeQuietly(redis);
      throw e;
    }
  }

  /**
   * The undo plan: the last file must end with FLUSHALL/FLUSHDB (any variant), with no rewrite and no write since.
   *
   * @throws RedisOpsException refused (5) saying why it cannot be undone, with the restore command
   */
  public AofPlan planUndoFlushall(RedisEndpoint endpoint, String commandPrefix) {
    RedisSession redis = connect(endpoint);
    try {
      String restore = restoreCommand(commandPrefix, null);
      if (!redis.configGet("appendonly").map("yes"::equalsIgnoreCase).orElse(false)) {
        throw RedisOpsException.refused("Redis at " + endpoint + " runs with appendonly no: there is no log to undo"
            + " the flush from; restore from a backup: " + restore);
      }
      Map<String, String> persistence = redis.info("persistence");
      if ("1".equals(persistence.get("aof_rewrite_in_progress")) || "1".equals(persistence.get("aof_rewrite_scheduled"))) {
        throw RedisOpsException.refused("an AOF rewrite is running or scheduled on Redis at " + endpoint
            + ": it drops the flush from the log; if it has finished, the flush cannot be undone; restore: " + restore);
      }
      AofLocation location = AofLocator.fromRedis(redis);
      RedisServerControl.ServerFacts facts = RedisServerControl.facts(redis);
      AofReport report = checker.check(location);
      if (!report.valid()) {
        throw new RedisOpsException(ExitCode.INTEGRITY, "the AOF is damaged (" + report.toolSays()
            + "); repair it first with 'aof repair --stop', or restore: " + restore);
      }
      AofFile last = location.last();
      if (!last.type().holdsCommands() || AofChecker.startsWithRdb(last.path())) {
        throw RedisOpsException.refused("the last AOF file " + last.name() + " starts with an RDB preamble (single-file"
            + " AOF of Redis before 7.0), which redis-ops does not edit; restore: " + restore);
      }
      long size = AofSteps.size(last.path());
      CommandLog.Scan scan = CommandLog.scan(last.path(), 0, Long.MAX_VALUE);
      if (scan.trailingFlush() == null) {
        throw RedisOpsException.refused(whyNot(location, scan, redis) + "; restore from a backup: " + restore);
      }
      RedisServerControl.checkRestartable(facts, endpoint);
      CommandLog.TrailingFlush flush = scan.trailingFlush();
      List<String> findings = new ArrayList<>(findings(report));
      findings.add(last.name() + " ends with " + AofText.list(flush.commands()) + " (" + flush.bytes() + " bytes from byte "
          + flush.cutAt() + ")" + (scan.lastTimestamp() == null ? "" : ", logged at " + scan.lastTimestamp()));
      findings.add("keys now: " + facts.keys());
      Path quarantine = Quarantine.folderFor(location, clock, "undo-flushall");
      List<AofStep> steps = List.of(new AofSteps.StopRedis(), new AofSteps.QuarantineCopy(quarantine),
          new AofSteps.CutTrailingFlush(last, flush, size), new AofSteps.CheckAfter(), new AofSteps.StartRedis());
      AofRun run = new AofRun(endpoint, checker, control, location, report, redis, facts);
      long flushes = flush.commands().stream().filter(c -> c.startsWith("FLUSH")).count();
      return new AofPlan("undo-flushall", run, findings, steps, flush.bytes(), flushes, flush.commands(), true,
          quarantine);
    } catch (RuntimeException e) {
      closeQuietly(redis);
      throw e;
    }
  }

  /** Why the log's end cannot be cut: writes after the flush, or no flush in the log since the last rewrite. */
  private String whyNot(AofLocation location, CommandLog.Scan scan, RedisSession redis) {
    if (scan.lastFlush() != null) {
      return "the last " + scan.lastFlush() + " in " + location.last().name() + " is followed by "
          + AofText.commands(scan.commandsAfterLastFlush()) + " (writes after the flush would be lost with it)";
    }
    AofFile base = location.files().get(0);
    String when = "";
    try {
      when = " at " + Files.getLastModifiedTime(base.path()).toInstant().truncatedTo(ChronoUnit.SECONDS);
    } catch (IOException ignored) {
      // the time only makes the message nicer
    }
    String rewrites = redis.info("persistence").getOrDefault("aof_rewrites", "?");
    return "no FLUSHALL or FLUSHDB in the AOF since its last rewrite (base " + base.name() + " written" + when
        + ", aof_rewrites=" + rewrites + " since Redis started): a rewrite since the flush has dropped it from the log,"
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
      case BASE -> "the base file " + (damaged == null ? "" : damaged.name() + " ") + "is damaged, which redis-check-aof"
          + " cannot fix";
      case NOT_LAST_FILE -> (damaged == null ? "a file" : damaged.name()) + " is damaged but is not the last incr file;"
          + " redis-check-aof fixes only the last one, and cutting it would drop every later file";
      default -> "the AOF is not usable (" + (damaged != null && damaged.problem() != null ? damaged.name() + " "
          + damaged.problem() : r.toolSays()) + ")";
    };
  }

  private static String lastIntact(AofReport r) {
    return r.lastIntactTime().map(t -> "; the last intact command was logged at " + t).orElse("");
  }

  /** The exact restore command: to the second of the last intact command when known, else the latest backup. */
  static String restoreCommand(String prefix, Instant lastIntact) {
    String p = prefix == null || prefix.isBlank() ? "redis-ops" : prefix;
    return lastIntact == null ? p + " restore --latest" : p + " restore --at " + lastIntact.truncatedTo(ChronoUnit.SECONDS);
  }

  private RedisSession connect(RedisEndpoint endpoint) {
    try {
      return RedisConnector.connect(endpoint, connectTimeout);
    } catch (RedisOpsException e) {
      if (e.exitCode() == ExitCode.FAILED) {
        throw new RedisOpsException(ExitCode.FAILED, e.getMessage() + "; when Redis is down, give its data directory"
            + " with --dir", e);
      }
      throw e;
    }
  }

  /** A session to the Redis at {@code endpoint} when it runs and uses this AOF; empty when it is down or another one. */
  private Optional<RedisSession> runningOn(RedisEndpoint endpoint, AofLocation location) {
    RedisSession s;
    try {
      s = RedisConnector.connect(endpoint, connectTimeout);
    } catch (RedisOpsException e) {
      if (e.exitCode() == ExitCode.FAILED) {
        return Optional.empty();
      }
      throw e;
    }
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
