package io.redisops.recovery.aof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.recovery.kernel.ServiceCommands;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisSession;
import io.redisops.testkit.RedisServerExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The kernel's step framework under the AOF tools, against a real redis-server and redis-check-aof:
 * a run that dies when a step starts (simulated by a progress listener that throws: the process
 * gone between two saved states) leaves its state next to the quarantine; {@code resume} runs the
 * steps that had not finished, {@code rollback} puts the AOF back and starts Redis on it.
 */
class AofResumeRollbackIT {
  @RegisterExtension
  final RedisServerExtension redis =
      RedisServerExtension.builder()
          .config("appendonly", "yes")
          .config("appendfsync", "always")
          .config("aof-timestamp-enabled", "yes")
          .config("auto-aof-rewrite-percentage", "0")
          .build();

  private final AofService service = AofFixtures.service();
  private final List<String> progress = new ArrayList<>();

  @AfterEach
  void stopWhatRedisOpsStarted() {
    AofFixtures.stopRestarted(redis.dir(), redis.port());
  }

  /**
   * The dataset as configured: with its config file, which tells the data directory while Redis is
   * down.
   */
  private AofService.Target target() {
    return new AofService.Target(
        RedisEndpoint.parse(redis.uri()),
        redis.configFile().toString(),
        ServiceCommands.defaults());
  }

  /**
   * Records each step, and "dies" when the step whose description starts with {@code prefix}
   * starts.
   */
  private Consumer<String> dyingAt(String prefix) {
    return step -> {
      if (step.startsWith(prefix)) {
        throw new IllegalStateException("the process died as '" + step + "' started");
      }
      progress.add(step);
    };
  }

  private long keys() {
    try (RedisSession s =
        RedisConnector.connect(RedisEndpoint.parse(redis.uri()), Duration.ofSeconds(5))) {
      return AofService.keys(s);
    }
  }

  private AofState state() {
    return AofState.store(redis.dir()).load().orElseThrow();
  }

  private void setsThenFlush() {
    for (int i = 1; i <= 10; i++) {
      redis.sync().set("k" + i, "v" + i);
    }
    redis.sync().flushall();
  }

  @Test
  void anInterruptedUndoIsResumedFromItsSavedStateWhileRedisIsDown() {
    setsThenFlush();
    long pid = redis.pid();
    AofPlan plan = service.planUndoFlushall(target(), "redis-ops");
    assertThatThrownBy(() -> plan.execute(dyingAt("remove "))).hasMessageContaining("died");
    assertThat(state().done()).containsExactly("stop", "quarantine");
    assertThat(state().current()).isEqualTo("cut");
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    // A new run is refused while this one waits.
    assertThatThrownBy(
            () ->
                service.planRepair(
                    new AofService.RepairOptions(redis.dir(), true, 4096, false, "redis-ops"),
                    target()))
        .hasMessageContaining("was interrupted at step 'cut'")
        .hasMessageContaining("aof undo-flushall --resume");

    progress.clear();
    AofPlan rest =
        service.resume(
            "undo-flushall", null, target(), "redis-ops"); // Redis is down: dir from its config
    assertThat(rest.describe()).hasSize(3).first().asString().startsWith("remove FLUSHALL");
    AofOutcome out = rest.execute(dyingAt("no step dies"));
    assertThat(progress).hasSize(3);
    assertThat(out.keysAfter()).isEqualTo(10);
    assertThat(keys()).isEqualTo(10);
    assertThat(AofState.store(redis.dir()).file()).doesNotExist();
  }

  @Test
  void anInterruptedUndoIsRolledBackTheAofAsItWasAndRedisOnIt() throws IOException {
    setsThenFlush();
    Path last = AofFixtures.lastIncr(redis.dir());
    AofPlan plan = service.planUndoFlushall(target(), "redis-ops");
    assertThatThrownBy(() -> plan.execute(dyingAt("check the result")))
        .hasMessageContaining("died");
    assertThat(state().done()).containsExactly("stop", "quarantine", "cut");
    Path copy = Path.of(state().quarantine()).resolve("appendonlydir").resolve(last.getFileName());
    assertThat(Files.size(last)).isLessThan(Files.size(copy)); // the flush was cut

    AofPlan back = service.rollback("undo-flushall", null, target(), "redis-ops");
    assertThat(back.describe())
        .anyMatch(l -> l.contains("undo, last first: check, cut, quarantine, stop"));
    AofOutcome out = back.execute(progress::add);
    assertThat(out.rolledBack()).contains("Redis runs on it again");
    assertThat(Files.readAllBytes(last)).isEqualTo(Files.readAllBytes(copy)); // the flush is back
    assertThat(keys()).isZero(); // as before the undo: flushed
    assertThat(progress).anyMatch(l -> l.equals("rollback: undid step 'cut'"));
    assertThat(AofState.store(redis.dir()).file()).doesNotExist();
  }

  @Test
  void anInterruptedRepairIsResumedAndRedisComesBackWithTheRepairedData() throws IOException {
    for (int i = 1; i <= 10; i++) {
      redis.sync().set("k" + i, "v" + i);
    }
    Files.writeString(
        AofFixtures.lastIncr(redis.dir()),
        "*3\r\n$3\r\nset\r\n$3\r\nk11\r\n$5\r\nval",
        StandardOpenOption.APPEND);
    AofPlan plan =
        service.planRepair(
            new AofService.RepairOptions(null, true, 4096, false, "redis-ops"), target());
    assertThatThrownBy(() -> plan.execute(dyingAt("run redis-check-aof --fix")))
        .hasMessageContaining("died");
    assertThat(state().done()).containsExactly("stop", "recheck", "quarantine");

    AofOutcome out =
        service.resume("repair", redis.dir(), target(), "redis-ops").execute(progress::add);
    assertThat(out.after().valid()).isTrue();
    assertThat(out.keysAfter()).isEqualTo(10);
    assertThat(keys()).isEqualTo(10);
    assertThat(AofState.store(redis.dir()).file()).doesNotExist();
  }
}
