package io.redisops.recovery.kernel;

import java.io.IOException;

/**
 * One step of a recovery plan (a restore, an AOF repair or undo). A step says exactly what it will
 * do, with concrete values ({@code --dry-run} and the consent prompt), does it, and undoes it.
 * Contract: {@link #run} may be called again after a crash in the middle of it ({@code --resume})
 * and must then finish the job; {@link #undo} must cope with a step that ran only partly and leave
 * its files as they were before {@link #run}. Stopping and starting Redis around the undo is the
 * rollback's job ({@link StepRunner#rollback}).
 *
 * @param <C> what the steps of one plan share (the run)
 */
public interface Step<C> {

  /**
   * Stable short name, kept in the state file ({@code fetch}, {@code stop}, ...); unique within a
   * plan.
   */
  String name();

  /** What the step does, with the values of this run. */
  String describe();

  /** Does the step; returns a short outcome for the report ("12000 keys loaded"). */
  String run(C run) throws IOException;

  /** Undoes the step's effects on files; see the class comment. */
  default void undo(C run) throws IOException {}

  /**
   * Runs first in a rollback that stops Redis, before the stop, for a step that ran or was running:
   * puts back a protection the step set up and a later step may already have removed (a failover
   * held off while Redis is down).
   */
  default void beforeRollback(C run) throws IOException {}

  /**
   * Whether {@link #undo} must wait until the rollback has started Redis again (or left it
   * stopped): giving failover back to Sentinel while Redis is still down would let it fail over.
   */
  default boolean undoAfterRestart() {
    return false;
  }

  /** Whether Redis is stopped from this step on until the run or the rollback starts it again. */
  default boolean stopsRedis() {
    return false;
  }
}
