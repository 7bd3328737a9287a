package io.redisops.recovery.aof;

import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.recovery.kernel.StateStore;
import io.redisops.recovery.kernel.StepRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An AOF repair or undo, decided but not done: what was found ({@link #findings()}), the ordered
 * steps (each able to {@link AofStep#describe() describe} itself for {@code --dry-run} and the
 * confirmation) and how to run them on the kernel's {@link StepRunner}, the state saved after every
 * step ({@link AofState}) for {@code --resume} and {@code --rollback}. A plan is a new run, the
 * rest of an interrupted one ({@link Mode#RESUME}) or the undo of one ({@link Mode#ROLLBACK}). An
 * empty plan means there is nothing to do.
 */
public final class AofPlan implements AutoCloseable {
  /** What running the plan does. */
  public enum Mode {
    /** The steps from the first. */
    NEW,
    /** The steps an interrupted run did not finish. */
    RESUME,
    /** Undo what an interrupted run did. */
    ROLLBACK
  }

  private final String action;
  private final Mode mode;
  private final AofRun run;
  private final AofReport report;
  private final List<String> findings;
  private final List<AofStep> steps;
  private final AofState state;
  private final StateStore<AofState> store;
  private final Clock clock;
  private final String commandPrefix;

  AofPlan(
      String action,
      Mode mode,
      AofRun run,
      AofReport report,
      List<String> findings,
      List<AofStep> steps,
      AofState state,
      StateStore<AofState> store,
      Clock clock,
      String commandPrefix) {
    this.action = action;
    this.mode = mode;
    this.run = run;
    this.report = report;
    this.findings = List.copyOf(findings);
    this.steps = List.copyOf(steps);
    this.state = state;
    this.store = store;
    this.clock = clock;
    this.commandPrefix =
        commandPrefix == null || commandPrefix.isBlank() ? "redis-ops" : commandPrefix;
  }

  /** {@code repair} or {@code undo-flushall}. */
  public String action() {
    return action;
  }

  public Mode mode() {
    return mode;
  }

  /** What the check found, one line each. */
  public List<String> findings() {
    return findings;
  }

  /** The steps, one line each, in order (those left to run; for a rollback, what it does). */
  public List<String> describe() {
    if (mode == Mode.ROLLBACK) {
      List<String> out = new ArrayList<>();
      if (StepRunner.touched(steps, state) && state.server() != null) {
        out.add(
            "stop Redis at "
                + state.address()
                + " if it runs on the changed AOF (SHUTDOWN NOSAVE NOW FORCE)");
      }
      List<String> undo = StepRunner.toUndo(steps, state).stream().map(AofStep::name).toList();
      out.add(
          "undo, last first: "
              + (undo.isEmpty() ? "nothing" : String.join(", ", undo))
              + " (the edited file back from "
              + state.quarantine()
              + ")");
      if (StepRunner.touched(steps, state) && state.server() != null) {
        out.add("start Redis on the AOF as it was");
      }
      return out;
    }
    return steps.stream()
        .filter(s -> state == null || !state.done().contains(s.name()))
        .map(AofStep::describe)
        .toList();
  }

  public boolean nothingToDo() {
    return steps.isEmpty();
  }

  /** The check the plan was made from. */
  public AofReport report() {
    return report;
  }

  /** Where the quarantine copy will go (or went), or null when the plan changes nothing. */
  public Path quarantineFolder() {
    return run.quarantine;
  }

  /**
   * The state file the run is saved in ({@code --resume}, {@code --rollback}), or null when there
   * is nothing to do.
   */
  public Path stateFile() {
    return steps.isEmpty() ? null : store.file();
  }

  /**
   * Runs the steps left in order, reporting each on {@code progress}, the state saved after each;
   * the state file is removed when the run ends well. On failure: when nothing was edited yet, or
   * for an undo (its cut is put back), the run is rolled back (a Redis this plan stopped is started
   * again); a failed repair after the fix leaves Redis stopped (it would not load the damaged file)
   * and keeps the state for {@code --resume} / {@code --rollback}; the message says which and where
   * the original is.
   */
  public AofOutcome execute(Consumer<String> progress) {
    if (mode == Mode.ROLLBACK) {
      return rollback(progress);
    }
    List<String> done = new ArrayList<>();
    StepRunner.Result<AofStep, AofState> result =
        StepRunner.run(
            steps,
            run,
            state,
            store::save,
            clock,
            new StepRunner.Listener<AofStep>() {
              @Override
              public void started(int number, int total, AofStep step, Instant at) {
                progress.accept(step.describe());
              }

              @Override
              public void finished(
                  int number, int total, AofStep step, Duration took, String outcome) {
                done.add(step.describe());
              }
            });
    if (!result.ok()) {
      throw recover(result);
    }
    store.delete();
    return outcome(done, null);
  }

  private AofOutcome outcome(List<String> done, String rolledBack) {
    return new AofOutcome(
        run.location.aofDir(),
        Files.isDirectory(run.quarantine) ? run.quarantine : null,
        state.removedBytes(),
        state.removedCommands(),
        state.removed(),
        state.lastIntactTime(),
        run.after,
        state.keysBefore(),
        run.keysAfter,
        run.startedPid,
        done,
        rolledBack);
  }

  private AofOutcome rollback(Consumer<String> progress) {
    List<String> notices = new ArrayList<>();
    StepRunner.RolledBack rb;
    try {
      rb =
          StepRunner.rollback(
              steps,
              state,
              run,
              run.control,
              state.pid(),
              n -> {
                notices.add(n);
                progress.accept(n);
              },
              ProgressListener.NONE);
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "the rollback of the interrupted aof "
              + action
              + " failed: "
              + e.getMessage()
              + "; the AOF as it was is in "
              + state.quarantine(),
          e);
    }
    store.delete();
    if (rb == StepRunner.RolledBack.STARTED) {
      run.startedPid = run.control.runningPid();
    }
    String summary =
        switch (rb) {
          case UNTOUCHED ->
              "Redis had not been stopped; "
                  + (StepRunner.toUndo(steps, state).isEmpty()
                      ? "nothing to undo"
                      : "the AOF is as it was");
          case LEFT_STOPPED ->
              "the AOF is as it was; Redis was not running before and is left stopped";
          case STARTED ->
              "the AOF is as it was and Redis runs on it again (pid " + run.startedPid + ")";
        };
    return outcome(notices, summary);
  }

  private RuntimeException recover(StepRunner.Result<AofStep, AofState> failed) {
    Exception failure = failed.failure();
    RedisOpsException e =
        failure instanceof RedisOpsException r
            ? r
            : RedisOpsException.failed(
                failure.getClass().getSimpleName() + ": " + failure.getMessage(), failure);
    AofState at = failed.state();
    boolean edited =
        at.done().contains("fix")
            || at.done().contains("cut")
            || "fix".equals(at.current())
            || "cut".equals(at.current());
    List<String> notes = new ArrayList<>();
    if (!edited || action.equals("undo-flushall")) {
      try {
        StepRunner.RolledBack rb =
            StepRunner.rollback(
                steps, at, run, run.control, state.pid(), n -> {}, ProgressListener.NONE);
        store.delete();
        if (edited) {
          notes.add("the AOF was put back as it was");
        }
        if (rb == StepRunner.RolledBack.STARTED) {
          notes.add("Redis was started again (pid " + run.control.runningPid() + ")");
        }
      } catch (IOException | RuntimeException again) {
        notes.add(
            "recovering failed too: " + again.getMessage() + "; Redis may be stopped; " + advice());
      }
    } else {
      if (StepRunner.touched(steps, at)) {
        notes.add("Redis stays stopped");
      }
      notes.add(advice());
    }
    if (Files.isDirectory(run.quarantine)) {
      notes.add("the original AOF is in " + run.quarantine);
    }
    return new RedisOpsException(
        e.exitCode(), e.getMessage() + " (" + String.join("; ", notes) + ")", e);
  }

  private String advice() {
    return "run '"
        + commandPrefix
        + " aof "
        + action
        + " --resume' to finish it or '"
        + commandPrefix
        + " aof "
        + action
        + " --rollback' to undo it";
  }

  /** Bytes the plan cuts. */
  public long removedBytes() {
    return state == null ? 0 : state.removedBytes();
  }

  /** Commands the plan cuts (-1 unknown). */
  public long removedCommands() {
    return state == null ? 0 : state.removedCommands();
  }

  /** What an undo removes. */
  public List<String> removed() {
    return state == null ? List.of() : state.removed();
  }

  /** Nothing to release: the plan holds no connection (kept for try-with-resources callers). */
  @Override
  public void close() {}
}
