package io.redisops.recovery.restore;

import io.redisops.recovery.kernel.ProcessControl;
import java.time.Duration;

/**
 * How long the restore waits for each thing before it calls it a failure (and rolls back).
 *
 * @param redis one Redis command
 * @param command a configured start or stop command to exit
 * @param stop the Redis process to exit after SHUTDOWN NOSAVE or the stop command
 * @param firstAnswer a started Redis to answer at all (LOADING counts as an answer)
 * @param load a started Redis to finish loading
 * @param rewrite the AOF rewrite after {@code CONFIG SET appendonly yes}
 */
public record RestoreTimeouts(
    Duration redis,
    Duration command,
    Duration stop,
    Duration firstAnswer,
    Duration load,
    Duration rewrite) {

  /** The waits of the process control. */
  public ProcessControl.Timeouts control() {
    return new ProcessControl.Timeouts(redis, command, stop, firstAnswer, load);
  }

  public static RestoreTimeouts defaults() {
    return new RestoreTimeouts(
        Duration.ofSeconds(10),
        Duration.ofMinutes(2),
        Duration.ofMinutes(2),
        Duration.ofSeconds(60),
        Duration.ofHours(2),
        Duration.ofHours(2));
  }
}
