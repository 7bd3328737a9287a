package io.redisops.recovery.kernel;

import java.util.List;

/**
 * What a run has done, saved before and after every step ({@link StateStore}): after a crash the
 * next run knows which steps finished and which one was running, and can finish ({@code --resume})
 * or undo ({@code --rollback}).
 *
 * @param <S> the state type itself (immutable: each change is a new state)
 */
public interface StepState<S extends StepState<S>> {

  /** Names of the finished steps, in order. */
  List<String> done();

  /** The step that was running, or null between steps. */
  String current();

  /** This state with {@code step} running. */
  S running(String step);

  /** This state with {@code step} finished. */
  S finished(String step);

  /** Where it stopped, in words: {@code at step 'start'} or {@code between steps}. */
  default String where() {
    return current() == null ? "between steps" : "at step '" + current() + "'";
  }
}
