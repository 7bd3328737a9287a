package io.redisops.recovery.restore;

import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.nio.file.Files;

/**
 * Step 2: stop Redis without letting it write ({@code SHUTDOWN NOSAVE} or the configured stop
 * command).
 */
final class StopStep implements RestoreStep {
  private final RestoreRun run;
  private final boolean needsStaged;

  StopStep(RestoreRun run) {
    this(run, false);
  }

  /**
   * @param needsStaged whether the verified RDB must be staged, whole, before Redis is stopped (an
   *     RDB restore: after the stop only its rename is left)
   */
  StopStep(RestoreRun run, boolean needsStaged) {
    this.run = run;
    this.needsStaged = needsStaged;
  }

  /**
   * Whether the verified RDB is staged with the backup's size: as the staged file, or as the base
   * of a complete AOF layout ({@link AofBaseStep}).
   */
  static boolean staged(RestoreRun r) {
    try {
      if (Files.isRegularFile(r.staging())) {
        return Files.size(r.staging()) == r.backup().rawSize();
      }
      if (r.archive() != null
          || !io.redisops.recovery.pitr.AofLayout.plainName(r.target().appendfilename())) {
        return false;
      }
      io.redisops.recovery.pitr.AofLayout l = r.aofLayout();
      return l.complete() && Files.size(l.base()) == r.backup().rawSize();
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public String name() {
    return "stop";
  }

  @Override
  public String describe() {
    if (run.target().pid() < 0) {
      return "nothing to stop: Redis at "
          + run.target().address()
          + " is down (checked again when the step runs)";
    }
    return "stop Redis at "
        + run.target().address()
        + " (pid "
        + run.target().pid()
        + ") with "
        + run.control().describeStop()
        + " and wait until the process has exited";
  }

  @Override
  public String run(RestoreRun r) {
    // The stop comes before the place: the staged RDB is still there, or was removed under us.
    if (needsStaged && !staged(r)) {
      throw RedisOpsException.failed(
          "the verified RDB "
              + r.staging()
              + " is gone or incomplete, so Redis is not stopped; run the restore again");
    }
    return r.control().stop(false);
  }

  @Override
  public boolean stopsRedis() {
    return true;
  }
}
