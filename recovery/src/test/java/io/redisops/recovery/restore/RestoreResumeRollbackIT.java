package io.redisops.recovery.restore;

import static io.redisops.recovery.restore.RestoreSupport.adopt;
import static io.redisops.recovery.restore.RestoreSupport.backup;
import static io.redisops.recovery.restore.RestoreSupport.context;
import static io.redisops.recovery.restore.RestoreSupport.dump;
import static io.redisops.recovery.restore.RestoreSupport.pid;
import static io.redisops.recovery.restore.RestoreSupport.server;
import static io.redisops.recovery.restore.RestoreSupport.service;
import static io.redisops.recovery.restore.RestoreSupport.stopRestarted;
import static io.redisops.recovery.restore.RestoreSupport.target;
import static io.redisops.recovery.restore.RestoreSupport.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.service.BackupContext;
import io.redisops.recovery.kernel.Quarantine;
import io.redisops.recovery.kernel.ServiceCommands;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.KeyspaceDump;
import io.redisops.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's step framework under restore, against a real redis-server: a restore that dies when
 * a step starts (the process gone between two saved states, simulated by a listener that throws)
 * leaves its state file; {@code resume} runs exactly the steps that had not finished, {@code
 * rollback} undoes the finished ones.
 */
class RestoreResumeRollbackIT {
  @TempDir Path tmp;

  private final List<RedisServer> servers = new ArrayList<>();
  private final List<String> started = new ArrayList<>();
  private BackupContext c;

  /** A listener that records the steps and "dies" when {@code dieAt} starts. */
  private RestoreListener dyingAt(String dieAt) {
    return new RestoreListener() {
      @Override
      public void stepStarted(int number, int total, RestoreStep step, Instant at) {
        if (step.name().equals(dieAt)) {
          throw new IllegalStateException("the process died as step '" + dieAt + "' started");
        }
        started.add(step.name());
      }
    };
  }

  @AfterEach
  void stopEverything() {
    for (RedisServer s : servers) {
      stopRestarted(s);
      s.close();
    }
  }

  private RedisServer start() {
    c = context(tmp.resolve("repo"));
    RedisServer s = server(tmp.resolve("data")).build();
    servers.add(s);
    s.start();
    return s;
  }

  /** Backs the server up into the repository, then replaces its data: what a restore must undo. */
  private Manifest backupThenWrite(RedisServer s) {
    Manifest m = backup(c, s);
    s.sync().flushall();
    s.sync().set("after", "the backup");
    return m;
  }

  @Test
  void resumeRunsTheStepsThatHadNotFinishedAndEndsWithTheBackupLoaded() throws Exception {
    RedisServer s = start();
    DataFixture.fill(s.sync(), 1);
    Map<Integer, Map<String, KeyspaceDump.KeyState>> expected = dump(s);
    Manifest m = backupThenWrite(s);
    RestoreService.Target t = target(s, ServiceCommands.defaults());

    assertThatThrownBy(
            () -> service(c).restore(t, Selection.byId(m.id()), p -> true, dyingAt("place")))
        .hasMessageContaining("died");
    RestoreState saved = service(c).interrupted("ds").orElseThrow();
    assertThat(saved.done()).containsExactly("fetch", "stop", "quarantine");
    assertThat(saved.current()).isEqualTo("place");
    assertThat(ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false))
        .isFalse(); // stopped, as left

    started.clear();
    RestoreReport r = service(c).resume(t, lines -> true, dyingAt("none"));
    adopt(s);
    assertThat(started).containsExactly("place", "start", "check-keys", "verify");
    assertThat(r.steps())
        .extracting(RestoreReport.StepRecord::name)
        .containsExactly("place", "start", "check-keys", "verify");
    assertThat(dump(s)).isEqualTo(expected);
    assertThat(service(c).interrupted("ds")).isEmpty();
    assertThat(Path.of(r.quarantine())).isEqualTo(Path.of(saved.quarantine())).isDirectory();
  }

  @Test
  void rollbackUndoesTheFinishedStepsAndRedisServesItsOriginalDataAgain() throws Exception {
    RedisServer s = start();
    DataFixture.fill(s.sync(), 1);
    Manifest m = backupThenWrite(s);
    s.sync().save(); // the original data on disk, as the rollback will load it
    Map<Integer, Map<String, KeyspaceDump.KeyState>> original = dump(s);
    String configBefore = Files.readString(s.configFile());
    RestoreService.Target t = target(s, ServiceCommands.defaults());

    assertThatThrownBy(
            () -> service(c).restore(t, Selection.byId(m.id()), p -> true, dyingAt("start")))
        .hasMessageContaining("died");
    RestoreState saved = service(c).interrupted("ds").orElseThrow();
    assertThat(saved.done()).containsExactly("fetch", "stop", "quarantine", "place");
    assertThat(Path.of(saved.quarantine()).resolve("dump.rdb"))
        .isRegularFile(); // the original, moved aside

    List<String> plan = new ArrayList<>();
    String summary = service(c).rollback(t, lines -> plan.addAll(lines), RestoreListener.NONE);
    adopt(s);
    assertThat(plan)
        .anyMatch(l -> l.contains("undo, last first: start, place, quarantine, stop, fetch"));
    assertThat(summary).contains("serves the original data again");
    assertThat(dump(s)).isEqualTo(original);
    assertThat(pid(s)).isPositive();
    assertThat(Files.readString(s.configFile())).isEqualTo(configBefore);
    assertThat(service(c).interrupted("ds")).isEmpty();
    try (Stream<Path> files = Files.list(s.dir())) {
      assertThat(files.map(p -> p.getFileName().toString())).doesNotContain(Quarantine.FOLDER);
    }
  }

  /**
   * Killed between the staging of the verified RDB and the stop: Redis was never stopped, the
   * rollback removes the staged file; a resume stops Redis on the staged file as it is (no second
   * fetch), or fetches again when it is gone.
   */
  @Test
  void aRestoreKilledBetweenStagingAndStopIsUndoneWithoutItsStagedFileOrResumedOnIt()
      throws Exception {
    RedisServer s = start();
    DataFixture.fill(s.sync(), 1);
    Map<Integer, Map<String, KeyspaceDump.KeyState>> backedUp = dump(s);
    Manifest m = backupThenWrite(s);
    Map<Integer, Map<String, KeyspaceDump.KeyState>> current = dump(s);
    long pidBefore = pid(s);
    RestoreService.Target t = target(s, ServiceCommands.defaults());

    assertThatThrownBy(
            () -> service(c).restore(t, Selection.byId(m.id()), p -> true, dyingAt("stop")))
        .hasMessageContaining("died");
    RestoreState saved = service(c).interrupted("ds").orElseThrow();
    assertThat(saved.done()).containsExactly("fetch");
    Path staged = Path.of(saved.staging());
    assertThat(staged.getParent()).isEqualTo(Path.of(saved.target().dir()));
    assertThat(Files.size(staged)).isEqualTo(m.rawSize());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(staged)))
        .isEqualTo("rw-------");

    String summary = service(c).rollback(t, lines -> true, RestoreListener.NONE);
    assertThat(summary).contains("nothing had been changed");
    assertThat(staged).doesNotExist();
    assertThat(pid(s)).isEqualTo(pidBefore); // never stopped
    assertThat(dump(s)).isEqualTo(current);
    assertThat(service(c).interrupted("ds")).isEmpty();

    // again, then resumed: the staged RDB is used as it is
    assertThatThrownBy(
            () -> service(c).restore(t, Selection.byId(m.id()), p -> true, dyingAt("stop")))
        .hasMessageContaining("died");
    started.clear();
    service(c).resume(t, lines -> true, dyingAt("none"));
    adopt(s);
    assertThat(started).startsWith("stop", "quarantine", "place", "start").doesNotContain("fetch");
    assertThat(dump(s)).isEqualTo(backedUp);
    assertThat(staged).doesNotExist(); // renamed into place

    // and once more with the staged RDB lost before the resume: fetched again, then stopped
    with(s, r -> r.set("after", "the first restore"));
    assertThatThrownBy(
            () -> service(c).restore(t, Selection.byId(m.id()), p -> true, dyingAt("stop")))
        .hasMessageContaining("died");
    Files.delete(staged);
    started.clear();
    service(c).resume(t, lines -> true, dyingAt("none"));
    adopt(s);
    assertThat(started).startsWith("fetch", "stop", "quarantine", "place", "start");
    assertThat(dump(s)).isEqualTo(backedUp);
  }
}
