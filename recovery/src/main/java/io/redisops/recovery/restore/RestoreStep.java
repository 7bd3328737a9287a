package io.redisops.recovery.restore;

import java.io.IOException;

/**
 * One step of the safe restore sequence (docs/redis-facts.md, "The safe restore sequence"). A step can say exactly what
 * it will do, with concrete values ({@code --dry-run}), do it, and undo it. Contract: {@link #run} may be called again
 * after a crash in the middle of it ({@code --resume}) and must then finish the job; {@link #undo} must cope with a
 * step that ran only partly and leave its files as they were before {@link #run}. Stopping and starting Redis around
 * the undo is the rollback's job.
 */
public interface RestoreStep {

  /** Stable short name, kept in the state file ({@code fetch}, {@code stop}, ...). */
  String name();

  /** What the step does, with the values of this restore. */
  String describe();

  /** Does the step; returns a short outcome for the report ("12000 keys loaded"). */
  String run(RestoreRun run) throws IOException;

  /** Undoes the step's effects on files; see the class comment. */
  default void undo(RestoreRun run) throws IOException {}

  /** Whether Redis is stopped from this step on until the restore or the rollback starts it again. */
  default boolean stopsRedis() {
    return false;
  }
}
