package io.redisops.recovery.aof;

import io.redisops.error.RedisOpsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An AOF repair or undo, decided but not done: what was found ({@link #findings()}), the ordered steps (each able to
 * {@link AofStep#describe() describe} itself for {@code --dry-run} and the confirmation) and how to run them.
 * An empty plan means there is nothing to do. Holds the connection to Redis until run or closed.
 */
public final class AofPlan implements AutoCloseable {
  private final String action;
  private final AofRun run;
  private final List<String> findings;
  private final List<AofStep> steps;
  private final long removedCommands;
  private final long removedBytes;
  private final List<String> removed;
  private final boolean undoable;
  private final Path quarantineFolder;

  AofPlan(String action, AofRun run, List<String> findings, List<AofStep> steps, long removedBytes,
      long removedCommands, List<String> removed, boolean undoable, Path quarantineFolder) {
    this.quarantineFolder = quarantineFolder;
    this.action = action;
    this.run = run;
    this.findings = List.copyOf(findings);
    this.steps = List.copyOf(steps);
    this.removedBytes = removedBytes;
    this.removedCommands = removedCommands;
    this.removed = List.copyOf(removed);
    this.undoable = undoable;
  }

  /** {@code repair} or {@code undo-flushall}. */
  public String action() {
    return action;
  }

  /** What the check found, one line each. */
  public List<String> findings() {
    return findings;
  }

  /** The steps, one line each, in order. */
  public List<String> describe() {
    return steps.stream().map(AofStep::describe).toList();
  }

  public boolean nothingToDo() {
    return steps.isEmpty();
  }

  /** The check the plan was made from. */
  public AofReport report() {
    return run.before;
  }

  /** Where the quarantine copy will go, or null when the plan changes nothing. */
  public Path quarantineFolder() {
    return quarantineFolder;
  }

  /**
   * Runs every step in order, reporting each on {@code progress}. On failure: when nothing was edited yet, a Redis that
   * this plan stopped is started again; an undo puts the quarantined last file back and starts Redis; a failed repair
   * leaves Redis stopped (it would not load the damaged file) and says where the original is.
   */
  public AofOutcome execute(Consumer<String> progress) {
    run.progress = progress;
    try {
      for (AofStep step : steps) {
        progress.accept(step.describe());
        step.run(run);
        run.done.add(step.describe());
      }
    } catch (RuntimeException e) {
      throw recover(e);
    } finally {
      run.closeSession();
    }
    return new AofOutcome(run.location.aofDir(), run.quarantine, removedBytes, removedCommands, removed,
        run.before.lastIntactTime().orElse(null), run.after, run.facts == null ? -1 : run.facts.keys(), run.keysAfter,
        run.startedPid, run.done);
  }

  private RuntimeException recover(RuntimeException failure) {
    RedisOpsException e = failure instanceof RedisOpsException r ? r
        : RedisOpsException.failed(failure.getClass().getSimpleName() + ": " + failure.getMessage(), failure);
    List<String> notes = new ArrayList<>();
    try {
      if (run.changed && undoable && run.quarantine != null) {
        AofFile last = run.location.last();
        Path copy = run.quarantine.resolve(run.location.multiPart()
            ? run.location.aofDir().getFileName().resolve(last.name()) : Path.of(last.name()));
        Quarantine.putBack(copy, last.path());
        run.changed = false;
        notes.add("the AOF was put back as it was");
      }
      if (run.stopped && !run.changed) {
        new AofSteps.StartRedis().run(run);
        notes.add("Redis was started again (pid " + run.startedPid + ")");
      } else if (run.stopped) {
        notes.add("Redis stays stopped");
      }
    } catch (RuntimeException again) {
      notes.add("recovering failed too: " + again.getMessage() + "; Redis may be stopped");
    }
    if (run.quarantine != null) {
      notes.add("the original AOF is in " + run.quarantine);
    }
    if (notes.isEmpty()) {
      return e;
    }
    return new RedisOpsException(e.exitCode(), e.getMessage() + " (" + String.join("; ", notes) + ")", e);
  }

  /** Bytes the plan cuts. */
  public long removedBytes() {
    return removedBytes;
  }

  /** Commands the plan cuts (-1 unknown). */
  public long removedCommands() {
    return removedCommands;
  }

  /** What an undo removes. */
  public List<String> removed() {
    return removed;
  }

  @Override
  public void close() {
    run.closeSession();
  }
}
