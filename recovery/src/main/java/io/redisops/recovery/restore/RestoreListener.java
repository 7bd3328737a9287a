package io.redisops.recovery.restore;

import io.redisops.progress.ProgressListener;
import java.time.Duration;
import java.time.Instant;

/**
 * Hears a restore advance: each step with its time, notices for the operator, progress of long
 * work.
 */
public interface RestoreListener {
  RestoreListener NONE = new RestoreListener() {};

  /** Step {@code number} of {@code total} starts at {@code at}. */
  default void stepStarted(int number, int total, RestoreStep step, Instant at) {}

  /** The step ended well. */
  default void stepFinished(
      int number, int total, RestoreStep step, Duration took, String outcome) {}

  /** The step failed; a rollback follows. */
  default void stepFailed(int number, int total, RestoreStep step, Duration took, String reason) {}

  /**
   * Something the operator must know (the quarantine path, a fallback to the off-site copy,
   * rollback actions).
   */
  default void notice(String message) {}

  /**
   * Something the operator must know even when only errors are read, such as a restore {@code --at}
   * that does not use the archive (the CLI prints it on stderr).
   */
  default void warning(String message) {
    notice(message);
  }

  /**
   * The exact command line that runs {@code restore <option>} ({@code --resume}, {@code
   * --rollback}) for this dataset, for the messages that tell the operator what to run next.
   */
  default String command(String option) {
    return "redis-ops restore " + option;
  }

  /** Progress of fetching, loading, rewriting. */
  default ProgressListener progress() {
    return ProgressListener.NONE;
  }
}
