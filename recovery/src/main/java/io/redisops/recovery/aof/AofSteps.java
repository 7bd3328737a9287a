package io.redisops.recovery.aof;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.recovery.kernel.ProcessControl;
import io.redisops.recovery.kernel.Quarantine;
import io.redisops.redis.RedisSession;
import io.redisops.text.Sizes;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps AOF plans are made of. Each is small and says what it does with the figures it works
 * on.
 */
final class AofSteps {
  private AofSteps() {}

  /** The steps of a plan, made from its state: the same for a new run and a resumed one. */
  static List<AofStep> of(AofState s, AofLocation location, ProcessControl control) {
    List<AofStep> steps = new ArrayList<>();
    boolean running = s.server() != null;
    if (running) {
      steps.add(
          new StopRedis(
              control.commands().stop() == null
                  ? "SHUTDOWN NOSAVE (nothing is saved; dump.rdb stays as it is)"
                  : control.describeStop()));
    }
    if (s.damaged() != null) {
      if (running) {
        steps.add(new RecheckDamage(s.damaged()));
      }
      steps.add(new QuarantineCopy(Path.of(s.quarantine())));
      steps.add(new Fix(s.damaged()));
    } else {
      steps.add(new QuarantineCopy(Path.of(s.quarantine())));
      steps.add(new CutTrailingFlush(location.last(), s.flush(), s.expectedSize()));
    }
    steps.add(new CheckAfter());
    if (running) {
      steps.add(new StartRedis(control.describeStart()));
    }
    return List.copyOf(steps);
  }

  /** Stop Redis without letting it write, and wait for the process to go. */
  static final class StopRedis implements AofStep {
    private final String how;

    StopRedis(String how) {
      this.how = how;
    }

    @Override
    public String name() {
      return "stop";
    }

    @Override
    public String describe() {
      return "stop Redis with " + how;
    }

    @Override
    public String run(AofRun run) {
      return run.control.stop(false);
    }

    @Override
    public boolean stopsRedis() {
      return true;
    }
  }

  /**
   * Copy the AOF folder aside and verify the copy; the copy stays when undone (it is the data as it
   * was).
   */
  static final class QuarantineCopy implements AofStep {
    private final Path folder;

    QuarantineCopy(Path folder) {
      this.folder = folder;
    }

    @Override
    public String name() {
      return "quarantine";
    }

    @Override
    public String describe() {
      return "copy the AOF as it is into " + folder + " (checked byte for byte)";
    }

    @Override
    public String run(AofRun run) throws IOException {
      // Resumed after a crash in the middle of the copy: the AOF is untouched, copy it again.
      Quarantine.deleteTree(folder);
      return "copied "
          + Quarantine.copyIn(folder, run.location.copySource()).size()
          + " file(s) into "
          + folder;
    }
  }

  /**
   * After the stop, the damage must be exactly what the plan was made for: Redis may have written
   * meanwhile.
   */
  static final class RecheckDamage implements AofStep {
    private final AofFileReport planned;

    RecheckDamage(AofFileReport planned) {
      this.planned = planned;
    }

    @Override
    public String name() {
      return "recheck";
    }

    @Override
    public String describe() {
      return "check again with redis-check-aof that the damage is still the one planned for";
    }

    @Override
    public String run(AofRun run) {
      AofReport now = run.checker.check(run.location);
      AofFileReport f = now.damagedFile().orElse(null);
      if (f == null
          || !f.name().equals(planned.name())
          || f.validUpTo() != planned.validUpTo()
          || f.bytesAfter() != planned.bytesAfter()) {
        throw RedisOpsException.refused(
            "the AOF changed while Redis stopped (now: "
                + (f == null
                    ? "valid"
                    : f.name()
                        + " valid up to "
                        + f.validUpTo()
                        + ", "
                        + f.bytesAfter()
                        + " bytes after")
                + "); nothing was changed, run the repair again");
      }
      return "the damage is the one planned for";
    }
  }

  /**
   * {@code redis-check-aof --fix}, answering its prompt; it cuts the last file at its first bad
   * byte.
   */
  static final class Fix implements AofStep {
    private final AofFileReport damaged;

    Fix(AofFileReport damaged) {
      this.damaged = damaged;
    }

    @Override
    public String name() {
      return "fix";
    }

    @Override
    public String describe() {
      return "run redis-check-aof --fix: cut "
          + damaged.name()
          + " from "
          + damaged.size()
          + " to "
          + damaged.validUpTo()
          + " bytes, losing "
          + damaged.bytesAfter()
          + " bytes ("
          + AofText.commands(damaged.commandsAfter())
          + ")";
    }

    @Override
    public String run(AofRun run) {
      // When the checker refused a base that redis-ops verified, it would refuse to fix past it:
      // the last file is
      // fixed on its own (the only file a manifest-wide --fix would cut anyway).
      CheckAofTool.Output out =
          run.checker
              .tool()
              .fix(
                  run.checker.check(run.location).basesJudgedByRedisOps()
                      ? run.location.last().path()
                      : run.location.target());
      if (out.exitCode() != 0) {
        throw RedisOpsException.failed(
            "redis-check-aof --fix failed (exit "
                + out.exitCode()
                + "): "
                + CheckAofOutput.parse(out).lastLine());
      }
      return "cut " + damaged.name() + " to " + damaged.validUpTo() + " bytes";
    }

    /** The damaged file as it was, from the quarantine. */
    @Override
    public void undo(AofRun run) {
      AofFile last = run.location.last();
      if (Files.exists(run.copyOf(last))) {
        Quarantine.putBack(run.copyOf(last), last.path());
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
    public String name() {
      return "cut";
    }

    @Override
    public String describe() {
      return "remove "
          + String.join(", ", flush.commands())
          + " from the end of "
          + file.name()
          + " (cut at byte "
          + flush.cutAt()
          + ", "
          + flush.bytes()
          + " bytes)";
    }

    @Override
    public String run(AofRun run) {
      long size = size(file.path());
      if (size == flush.cutAt()) {
        return "already cut at byte " + flush.cutAt(); // resumed after the cut
      }
      // What is cut must still be exactly the flush found before the stop: no write may have
      // slipped in.
      CommandLog.Scan now = CommandLog.scan(file.path(), 0, Long.MAX_VALUE);
      if (size != expectedSize
          || now.trailingFlush() == null
          || now.trailingFlush().cutAt() != flush.cutAt()) {
        throw RedisOpsException.refused(
            "the AOF changed before the server stopped ("
                + file.name()
                + " is now "
                + size
                + " bytes, was "
                + expectedSize
                + "); nothing was changed, run undo-flushall again");
      }
      try (FileChannel ch = FileChannel.open(file.path(), StandardOpenOption.WRITE)) {
        ch.truncate(flush.cutAt());
        ch.force(true);
      } catch (IOException e) {
        throw RedisOpsException.failed("unable to cut '" + file.path() + "': " + e.getMessage(), e);
      }
      return "cut " + file.name() + " at byte " + flush.cutAt();
    }

    /** The file with its flushes, from the quarantine. */
    @Override
    public void undo(AofRun run) {
      if (Files.exists(run.copyOf(file))) {
        Quarantine.putBack(run.copyOf(file), file.path());
      }
    }
  }

  /** redis-check-aof again: the result must be valid. */
  static final class CheckAfter implements AofStep {
    @Override
    public String name() {
      return "check";
    }

    @Override
    public String describe() {
      return "check the result with redis-check-aof (it must be valid)";
    }

    @Override
    public String run(AofRun run) {
      run.after = run.checker.check(run.location);
      if (!run.after.valid()) {
        throw new RedisOpsException(
            ExitCode.INTEGRITY,
            "the AOF is still not valid after the change (" + run.after.toolSays() + ")");
      }
      return "valid";
    }
  }

  /** Start Redis again and wait for PONG; count the keys. */
  static final class StartRedis implements AofStep {
    private final String how;

    StartRedis(String how) {
      this.how = how;
    }

    @Override
    public String name() {
      return "start";
    }

    @Override
    public String describe() {
      return "start Redis again (" + how + ") and wait until it answers PING";
    }

    @Override
    public String run(AofRun run) {
      // Resumed after a crash while Redis was already starting: wait for it rather than start a
      // second one.
      if (run.control.runningPid() > 0) {
        run.startedPid = run.control.awaitReady(ProgressListener.NONE, java.time.Instant.EPOCH);
      } else {
        run.startedPid = run.control.start(ProgressListener.NONE).pid();
      }
      try (RedisSession s = run.control.connect()) {
        run.keysAfter = AofService.keys(s);
      }
      return "started (pid " + run.startedPid + "), " + run.keysAfter + " keys";
    }
  }

  static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to read the size of '" + p + "': " + e.getMessage(), e);
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
