package io.redisops.recovery.kernel;

import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs the steps of a plan in order from a saved state, saving the state before and after each step
 * (one save between two steps: the finish of one with the start of the next), and undoes the steps
 * of a run. The one step engine of restore and the AOF tools: {@code --resume} is {@link #run} from
 * the saved state (finished steps are skipped, the interrupted one runs again), {@code --rollback}
 * is {@link #rollback}.
 */
public final class StepRunner {
  private StepRunner() {}

  /** Hears the steps advance. */
  public interface Listener<T> {
    /** Step {@code number} of {@code total} starts at {@code at}. */
    default void started(int number, int total, T step, Instant at) {}

    /** The step ended well. */
    default void finished(int number, int total, T step, Duration took, String outcome) {}

    /** The step failed. */
    default void failed(int number, int total, T step, Duration took, String reason) {}
  }

  /** Saves a state (the store, or a guard that saves under a lock). */
  @FunctionalInterface
  public interface Saver<S> {
    void save(S state);
  }

  /**
   * One step that ran.
   *
   * @param name the step
   * @param at when it started
   * @param tookMillis how long it took
   * @param outcome what it said
   */
  public record StepRecord(String name, Instant at, long tookMillis, String outcome) {}

  /**
   * How a run ended.
   *
   * @param state the last state saved (the failed step as {@code current} when one failed)
   * @param records the steps that ran in this call, in order
   * @param failed the step that failed, or null
   * @param failure its exception, or null
   * @param reason the failure in one line, or null
   */
  public record Result<T, S>(
      S state, List<StepRecord> records, T failed, Exception failure, String reason) {
    public boolean ok() {
      return failed == null;
    }
  }

  /**
   * Runs every step not yet done in {@code state}, in order. A failure stops the run; it is
   * returned, not thrown, with the state that names the failed step as running (what a rollback
   * undoes). An exception of the listener or the saver is no step failure: it ends the run as a
   * crash would, the last saved state left for {@code --resume} or {@code --rollback}.
   */
  public static <C, T extends Step<C>, S extends StepState<S>> Result<T, S> run(
      List<T> steps, C run, S state, Saver<S> saver, Clock clock, Listener<? super T> listener) {
    List<StepRecord> records = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      T step = steps.get(i);
      if (state.done().contains(step.name())) {
        continue;
      }
      if (records.isEmpty()) {
        // the first step of this call; a later one was saved as running with the finish before it
        state = state.running(step.name());
        saver.save(state);
      }
      Instant at = clock.instant();
      listener.started(i + 1, steps.size(), step, at);
      String outcome;
      try {
        outcome = step.run(run);
      } catch (IOException | RuntimeException e) {
        String reason =
            e instanceof RedisOpsException
                ? e.getMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
        listener.failed(i + 1, steps.size(), step, Duration.between(at, clock.instant()), reason);
        return new Result<>(state, records, step, e, reason);
      }
      Duration took = Duration.between(at, clock.instant());
      listener.finished(i + 1, steps.size(), step, took, outcome);
      records.add(new StepRecord(step.name(), at, took.toMillis(), outcome));
      state = state.finished(step.name());
      T next = nextToRun(steps, i + 1, state);
      if (next != null) {
        // One save for the finish and the next start: a crash between the two would leave the
        // next step to run first anyway, and a step's undo already copes with a step that was
        // saved as running but had not begun. Each save is an fsync; during a restore's downtime
        // (stop, quarantine, place, start) they were a third of what ran between the stop and the
        // start on this machine.
        state = state.running(next.name());
      }
      saver.save(state);
    }
    return new Result<>(state, records, null, null, null);
  }

  /** The first step from {@code from} on that {@code state} has not finished, or null. */
  private static <T extends Step<?>> T nextToRun(List<T> steps, int from, StepState<?> state) {
    for (int j = from; j < steps.size(); j++) {
      if (!state.done().contains(steps.get(j).name())) {
        return steps.get(j);
      }
    }
    return null;
  }

  /**
   * The steps that ran (and the one running) in {@code state}, last first: what a rollback undoes.
   */
  public static <T extends Step<?>> List<T> toUndo(List<T> steps, StepState<?> state) {
    List<T> out = new ArrayList<>();
    for (T s : steps) {
      if (state.done().contains(s.name()) || s.name().equals(state.current())) {
        out.add(0, s);
      }
    }
    return out;
  }

  /**
   * Whether a step that stops Redis ran or was running: Redis may be stopped or run on changed
   * files.
   */
  public static boolean touched(List<? extends Step<?>> steps, StepState<?> state) {
    return steps.stream()
        .anyMatch(
            s ->
                s.stopsRedis()
                    && (state.done().contains(s.name()) || s.name().equals(state.current())));
  }

  /** What a rollback did to Redis. */
  public enum RolledBack {
    /**
     * Redis was never stopped: it kept serving its data (the undos, if any, touched only our own
     * files).
     */
    UNTOUCHED,
    /** Redis was down before the run and is left stopped, its files back. */
    LEFT_STOPPED,
    /** Redis was stopped, its files put back, and started again on them. */
    STARTED
  }

  /**
   * Undoes the steps that ran (and the one running) in reverse order, between a stop and a start of
   * Redis ({@link Step#beforeRollback} of each first, before the stop; the undo of a step that
   * {@link Step#undoAfterRestart undoes after the restart} last, after the start); Redis is not
   * stopped when the original process still runs (the run never stopped it), and not started when
   * it was down before the run ({@code originalPid < 0}): starting it on the files it could not run
   * on would only fail again.
   *
   * @param originalPid the Redis process before the run, or -1 when it was down
   * @param notices one line per action ({@code rollback: ...})
   */
  public static <C, T extends Step<C>> RolledBack rollback(
      List<T> steps,
      StepState<?> state,
      C run,
      ProcessControl control,
      long originalPid,
      Consumer<String> notices,
      ProgressListener progress)
      throws IOException {
    boolean touched = touched(steps, state);
    boolean wasDown = originalPid < 0;
    if (touched && !wasDown && control.runningPid() == originalPid) {
      touched =
          false; // the stop did not happen: the original server still runs on its data; leave it
      // alone
    }
    List<T> undo = toUndo(steps, state);
    if (touched) {
      for (int i = undo.size() - 1; i >= 0; i--) {
        undo.get(i).beforeRollback(run); // in plan order
      }
      notices.accept("rollback: " + control.stop(true));
    }
    for (T s : undo) {
      if (!s.undoAfterRestart()) {
        s.undo(run);
        notices.accept("rollback: undid step '" + s.name() + "'");
      }
    }
    RolledBack done = RolledBack.UNTOUCHED;
    if (touched) {
      done = wasDown ? RolledBack.LEFT_STOPPED : RolledBack.STARTED;
      if (!wasDown) {
        notices.accept("rollback: Redis " + control.start(progress).describe());
      }
    }
    for (T s : undo) {
      if (s.undoAfterRestart()) {
        s.undo(run);
        notices.accept("rollback: undid step '" + s.name() + "'");
      }
    }
    return done;
  }

  /**
   * The plan as numbered lines, for {@code --dry-run} and the consent prompt; with {@code state},
   * the steps left.
   */
  public static List<String> describe(List<? extends Step<?>> steps, StepState<?> state) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      Step<?> s = steps.get(i);
      if (state == null || !state.done().contains(s.name())) {
        out.add(
            String.format(java.util.Locale.ROOT, "  %2d. %-12s %s", i + 1, s.name(), s.describe()));
      }
    }
    return out;
  }
}
