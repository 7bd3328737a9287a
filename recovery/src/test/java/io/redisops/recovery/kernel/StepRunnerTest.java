package io.redisops.recovery.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The states {@link StepRunner#run} saves: one before the first step, then one per step that names
 * the finished step with the next one as running (the last one with none running), so that every
 * state a crash can leave behind still names each step that may have changed something.
 */
class StepRunnerTest {
  private static final Clock AT =
      Clock.fixed(Instant.parse("2026-12-01T10:15:00Z"), ZoneOffset.UTC);

  /** A state as the restore's: finished steps and the running one. */
  record State(List<String> done, String current) implements StepState<State> {
    State {
      done = List.copyOf(done);
    }

    @Override
    public State running(String step) {
      return new State(done, step);
    }

    @Override
    public State finished(String step) {
      List<String> d = new ArrayList<>(done);
      d.add(step);
      return new State(d, null);
    }

    @Override
    public String toString() {
      return done + "/" + current;
    }
  }

  /** A step that records that it ran, and fails when told to. */
  record Named(String name, boolean fails, List<String> ran) implements Step<Void> {
    @Override
    public String describe() {
      return name;
    }

    @Override
    public String run(Void run) throws IOException {
      ran.add(name);
      if (fails) {
        throw new IOException(name + " failed");
      }
      return name + " done";
    }
  }

  private final List<String> ran = new ArrayList<>();
  private final List<String> saved = new ArrayList<>();

  private List<Named> steps(String failing) {
    return List.of("a", "b", "c").stream().map(n -> new Named(n, n.equals(failing), ran)).toList();
  }

  @Test
  void savesTheFinishOfAStepWithTheStartOfTheNextInOneState() {
    var result =
        StepRunner.run(
            steps(null),
            null,
            new State(List.of(), null),
            s -> saved.add(s.toString()),
            AT,
            new StepRunner.Listener<Named>() {});

    assertThat(result.ok()).isTrue();
    assertThat(ran).containsExactly("a", "b", "c");
    assertThat(saved).containsExactly("[]/a", "[a]/b", "[a, b]/c", "[a, b, c]/null");
    assertThat(result.records())
        .extracting(StepRunner.StepRecord::name)
        .containsExactly("a", "b", "c");
  }

  @Test
  void aFailedStepIsTheRunningOneOfTheLastSavedState() {
    var result =
        StepRunner.run(
            steps("b"),
            null,
            new State(List.of(), null),
            s -> saved.add(s.toString()),
            AT,
            new StepRunner.Listener<Named>() {});

    assertThat(result.ok()).isFalse();
    assertThat(result.failed().name()).isEqualTo("b");
    assertThat(result.state()).hasToString("[a]/b");
    assertThat(saved).containsExactly("[]/a", "[a]/b");
    // what a rollback undoes: the failed step and the one before it, last first
    assertThat(StepRunner.toUndo(steps(null), result.state()))
        .extracting(Named::name)
        .containsExactly("b", "a");
  }

  @Test
  void aResumedRunSavesItsFirstStepAndSkipsTheFinishedOnes() {
    var result =
        StepRunner.run(
            steps(null),
            null,
            new State(List.of("a"), "b"),
            s -> saved.add(s.toString()),
            AT,
            new StepRunner.Listener<Named>() {});

    assertThat(result.ok()).isTrue();
    assertThat(ran).containsExactly("b", "c");
    assertThat(saved).containsExactly("[a]/b", "[a, b]/c", "[a, b, c]/null");
  }

  @Test
  void aStepFinishedOutOfOrderIsSkippedAndTheOneAfterItSavedAsRunning() {
    // a restore that fetches again (its staged RDB gone) while a later step is already finished
    var result =
        StepRunner.run(
            steps(null),
            null,
            new State(List.of("b"), null),
            s -> saved.add(s.toString()),
            AT,
            new StepRunner.Listener<Named>() {});

    assertThat(result.ok()).isTrue();
    assertThat(ran).containsExactly("a", "c");
    assertThat(saved).containsExactly("[b]/a", "[b, a]/c", "[b, a, c]/null");
  }
}
