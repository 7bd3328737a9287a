package io.redisops.recovery.aof;

import io.redisops.text.Sizes;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisSession;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/** The steps AOF plans are made of. Each is small and says what it does with the figures it works on. */
final class AofSteps {
  private AofSteps() {}

  /** {@code SHUTDOWN NOSAVE} and wait for the process to go. */
  static final class StopRedis implements AofStep {
    @Override
    public String describe() {
      return "stop Redis with SHUTDOWN NOSAVE (nothing is saved; dump.rdb stays as it is)";
    }

    @Override
    public void run(AofRun run) {
      run.control.stop(run.session, run.facts);
      run.closeSession();
      run.stopped = true;
    }
  }

  /** Copy the AOF folder aside and verify the copy. */
  static final class QuarantineCopy implements AofStep {
    private final Path folder;

    QuarantineCopy(Path folder) {
      this.folder = folder;
    }

    @Override
    public String describe() {
      return "copy the AOF as it is into " + folder + " (checked byte for byte)";
    }

    @Override
    public void run(AofRun run) {
      run.quarantined = Quarantine.copy(run.location, folder);
      run.quarantine = folder;
    }
  }

  /** After the stop, the damage must be exactly what the plan was made for: Redis may have written meanwhile. */
  static final class RecheckDamage implements AofStep {
    private final AofFileReport planned;

    RecheckDamage(AofFileReport planned) {
      this.planned = planned;
    }

    @Override
    public String describe() {
      return "check again with redis-check-aof that the damage is still the one planned for";
    }

    @Override
    public void run(AofRun run) {
      AofReport now = run.checker.check(run.location);
      AofFileReport f = now.damagedFile().orElse(null);
      if (f == null || !f.name().equals(planned.name()) || f.validUpTo() != planned.validUpTo()
          || f.bytesAfter() != planned.bytesAfter()) {
        throw RedisOpsException.refused("the AOF changed while Redis stopped (now: "
            + (f == null ? "valid" : f.name() + " valid up to " + f.validUpTo() + ", " + f.bytesAfter() + " bytes after")
            + "); nothing was changed, run the repair again");
      }
    }
  }

  /** {@code redis-check-aof --fix}, answering its prompt; it cuts the last file at its first bad byte. */
  static final class Fix implements AofStep {
    private final AofFileReport damaged;

    Fix(AofFileReport damaged) {
      this.damaged = damaged;
    }

    @Override
    public String describe() {
      return "run redis-check-aof --fix: cut " + damaged.name() + " from " + damaged.size() + " to " + damaged.validUpTo()
          + " bytes, losing " + damaged.bytesAfter() + " bytes (" + AofText.commands(damaged.commandsAfter()) + ")";
    }

    @Override
    public void run(AofRun run) {
      run.changed = true;
      // When the checker refused a base that redis-ops verified, it would refuse to fix past it: the last file is
      // fixed on its own (the only file a manifest-wide --fix would cut anyway).
      CheckAofTool.Output out = run.checker.tool().fix(run.checker.check(run.location).basesJudgedByRedisOps()
          ? run.location.last().path() : run.location.target());
      if (out.exitCode() != 0) {
        throw RedisOpsException.failed("redis-check-aof --fix failed (exit " + out.exitCode() + "): "
            + CheckAofOutput.parse(out).lastLine());
      }
    }
  }

  /** Cut the trailing flushes: truncate the last file at the start of the first one. */
  static final class CutTrailingFlush implements AofStep {
    private final AofFile file;
    private final CommandLog.TrailingFlush flush;
    private final long expectedSize;

    CutTrailingFlush(AofFile file, CommandLog.TrailingFlush flush, long expectedSize) {
      this.file = file;
      this.flush = flush;
      this.expectedSize = expectedSize;
    }

    @Override
    public String describe() {
      return "remove " + String.join(", ", flush.commands()) + " from the end of " + file.name() + " (cut at byte "
          + flush.cutAt() + ", " + flush.bytes() + " bytes)";
    }

    @Override
    public void run(AofRun run) {
      // What is cut must still be exactly the flush found before the stop: no write may have slipped in.
      CommandLog.Scan now = CommandLog.scan(file.path(), 0, Long.MAX_VALUE);
      long size = size(file.path());
      if (size != expectedSize || now.trailingFlush() == null || now.trailingFlush().cutAt() != flush.cutAt()) {
        throw RedisOpsException.refused("the AOF changed before the server stopped (" + file.name() + " is now "
            + size + " bytes, was " + expectedSize + "); nothing was changed, run undo-flushall again");
      }
      run.changed = true;
      try (FileChannel ch = FileChannel.open(file.path(), StandardOpenOption.WRITE)) {
        ch.truncate(flush.cutAt());
        ch.force(true);
      } catch (IOException e) {
        throw RedisOpsException.failed("unable to cut '" + file.path() + "': " + e.getMessage(), e);
      }
    }
  }

  /** redis-check-aof again: the result must be valid. */
  static final class CheckAfter implements AofStep {
    @Override
    public String describe() {
      return "check the result with redis-check-aof (it must be valid)";
    }

    @Override
    public void run(AofRun run) {
      run.after = run.checker.check(run.location);
      if (!run.after.valid()) {
        throw new RedisOpsException(ExitCode.INTEGRITY, "the AOF is still not valid after the change ("
            + run.after.toolSays() + ")");
      }
    }
  }

  /** Start Redis from its config file and wait for PONG; count the keys. */
  static final class StartRedis implements AofStep {
    @Override
    public String describe() {
      return "start Redis again (redis-server <config file> --daemonize yes) and wait until it answers PING";
    }

    @Override
    public void run(AofRun run) {
      run.startedPid = run.control.start(run.facts, run.endpoint);
      run.stopped = false;
      try (RedisSession s = RedisConnector.connect(run.endpoint, Duration.ofSeconds(10))) {
        run.keysAfter = RedisServerControl.keys(s);
      }
    }
  }

  static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw RedisOpsException.failed("unable to read the size of '" + p + "': " + e.getMessage(), e);
    }
  }

  /** Human words for figures, shared by steps and services. */
  static final class AofText {
    private AofText() {}

    static String commands(long n) {
      return n < 0 ? "commands unknown" : n == 1 ? "1 command" : n + " commands";
    }

    static String bytes(long n) {
      return n < 1024 ? n + " bytes" : n + " bytes (" + Sizes.human(n) + ")";
    }

    static String list(List<String> items) {
      return String.join(", ", items);
    }
  }
}
