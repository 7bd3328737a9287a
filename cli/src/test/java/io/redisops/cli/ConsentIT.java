package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redisops.testkit.KeyspaceDump;
import io.redisops.testkit.ProcessRegistry;
import io.redisops.testkit.RedisServerExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one consent rule, for every destructive command (restore, aof repair, aof undo-flushall,
 * delete; sentinel failover in {@link SentinelCliIT}, restore --resume/--rollback in {@link
 * RestoreCliIT}), run as the real jar against a real redis-server and a real local repository: the
 * plan is shown; with no terminal and no {@code --yes} it exits 5; on a terminal anything but an
 * explicit {@code y}/{@code yes} (here "n", "yeah" and end of input) exits 5; either way the
 * repository tree, Redis's data files and its keys are what they were before.
 */
class ConsentIT {
  private static final String DATASET = "ds";

  /**
   * What the operator types at the question: a no, a near-yes, and nothing at all (end of input).
   */
  private static final List<String> DECLINES = List.of("n\n", "yeah\n", "");

  @RegisterExtension
  final RedisServerExtension redis =
      RedisServerExtension.builder()
          .config("appendonly", "yes")
          .config("appendfsync", "always")
          .config("aof-timestamp-enabled", "yes")
          .config("auto-aof-rewrite-percentage", "0")
          .build();

  @TempDir Path tmp;

  @AfterEach
  void stopWhatRedisOpsStarted() throws IOException {
    // nothing here should start Redis; if a broken consent let a command run, its server is stopped
    // by its pid file
    ProcessRegistry.stopByPidFile(redis.dir().resolve("redis-ops-" + redis.port() + ".pid"));
  }

  private Path repo() {
    return tmp.resolve("repo");
  }

  private String[] args(String... command) {
    List<String> all =
        new ArrayList<>(
            List.of("--redis", redis.uri(), "--repo", repo().toString(), "--dataset", DATASET));
    all.addAll(List.of(command));
    return all.toArray(String[]::new);
  }

  private String backup(String... options) {
    List<String> command = new ArrayList<>(List.of("--json", "backup"));
    command.addAll(List.of(options));
    RedisOpsProcess.Result r = RedisOpsProcess.run(args(command.toArray(String[]::new)));
    assertThat(r.exitCode()).as(r.describe()).isZero();
    return RepoTree.json(r.stdout()).path("backup").path("id").asText();
  }

  /**
   * What must not change: the repository tree, Redis's data folder, and (when it runs) its pid and
   * keys.
   */
  private record State(
      Map<String, String> repository,
      Map<String, String> dataFiles,
      Long pid,
      Map<Integer, Map<String, KeyspaceDump.KeyState>> keys) {}

  private State state(boolean running) {
    Map<String, String> data = RepoTree.fingerprint(redis.dir());
    // the server's own log and console output are not data
    data.keySet().removeIf(f -> f.endsWith(".log") || f.endsWith(".out"));
    return new State(
        RepoTree.fingerprint(repo()),
        data,
        running ? redis.pid() : null,
        running ? KeyspaceDump.of(redis.sync()) : null);
  }

  /**
   * Runs {@code command} without a terminal, then on one answering each of {@link #DECLINES}: every
   * run exits 5 after showing {@code planShows}, and nothing changes.
   */
  private void refusedEveryWay(boolean running, String what, String planShows, String... command) {
    State before = state(running);

    RedisOpsProcess.Result noTerminal = RedisOpsProcess.run(args(command));
    assertThat(noTerminal.exitCode()).as(noTerminal.describe()).isEqualTo(5);
    assertThat(noTerminal.stdout()).as(noTerminal.describe()).contains(planShows);
    assertThat(noTerminal.stderrLines())
        .as(noTerminal.describe())
        .containsExactly(
            "redis-ops: '"
                + what
                + "' needs confirmation and there is no terminal to ask on; nothing was changed; rerun with --yes to go ahead"
                + " (the plan is above)");
    assertThat(state(running)).as("after %s without a terminal", what).isEqualTo(before);

    if (!Files.isExecutable(RedisOpsProcess.SCRIPT)) {
      return; // util-linux 'script' missing: the terminal half cannot run here
    }
    for (String answer : DECLINES) {
      RedisOpsProcess.Result declined =
          RedisOpsProcess.of(args(command)).runOnTerminal(answer, RedisOpsProcess.DEFAULT_TIMEOUT);
      assertThat(declined.exitCode())
          .as("answer %s: %s", answer.strip(), declined.describe())
          .isEqualTo(5);
      assertThat(declined.stdout())
          .as(declined.describe())
          .contains(planShows)
          .contains("Go ahead with " + what + "? [y/N]")
          .contains("redis-ops: '" + what + "' not confirmed; nothing was changed");
      assertThat(state(running))
          .as("after %s declined with %s", what, answer.strip())
          .isEqualTo(before);
    }
  }

  @Test
  void restore() {
    redis.sync().set("before", "the backup");
    String id = backup();
    redis.sync().set("after", "the backup");
    refusedEveryWay(
        true,
        "restore of backup " + id + " over all data of " + redis.host() + ":" + redis.port(),
        "SHUTDOWN NOSAVE",
        "restore",
        "--latest");
  }

  @Test
  void deleteAndOnlyAnExplicitYesGoesAhead() {
    redis.sync().set("k", "v");
    String old = backup();
    String id = backup();
    refusedEveryWay(
        true, "delete backup " + DATASET + "/" + id, "delete backup " + id, "delete", id);

    Assumptions.assumeTrue(
        Files.isExecutable(RedisOpsProcess.SCRIPT), "util-linux 'script' is not installed");
    RedisOpsProcess.Result yes =
        RedisOpsProcess.of(args("delete", id))
            .runOnTerminal(" YES \n", RedisOpsProcess.DEFAULT_TIMEOUT);
    assertThat(yes.exitCode()).as(yes.describe()).isZero();
    assertThat(yes.stdout()).contains("deleted backup " + DATASET + "/" + id);
    assertThat(repo().resolve(DATASET).resolve(id)).doesNotExist();
    assertThat(repo().resolve(DATASET).resolve(old).resolve("manifest.json")).exists();
  }

  @Test
  void prune() throws Exception {
    redis.sync().set("k", "v");
    String old = backup("--tier", "hourly");
    String newest = backup("--tier", "hourly");
    // the older one is a 3-day-old hourly: past its 48 h
    Path manifest = repo().resolve(DATASET).resolve(old).resolve("manifest.json");
    ObjectNode m = (ObjectNode) RepoTree.json(manifest);
    m.put("snapshot_time", Instant.now().minus(Duration.ofDays(3)).toString());
    Files.writeString(manifest, m.toString());
    // prune is not under the rule (docs/commands.md): it applies the configured retention, from
    // cron too, so it
    // deletes without a terminal and without --yes; --dry-run deletes nothing
    RedisOpsProcess.Result dry = RedisOpsProcess.run(args("prune", "--dry-run"));
    assertThat(dry.exitCode()).as(dry.describe()).isZero();
    assertThat(dry.stdout()).contains("would delete " + old);
    assertThat(manifest).exists();
    RedisOpsProcess.Result plain = RedisOpsProcess.run(args("prune"));
    assertThat(plain.exitCode()).as(plain.describe()).isZero();
    assertThat(plain.stdout())
        .contains("delete " + old)
        .contains("deleted 1 of 2 backup(s) of " + DATASET);
    assertThat(manifest).doesNotExist();
    assertThat(repo().resolve(DATASET).resolve(newest).resolve("manifest.json")).exists();
  }

  @Test
  void aofRepair() throws Exception {
    for (int i = 1; i <= 5; i++) {
      redis.sync().set("k" + i, "v" + i);
    }
    redis.server().kill9();
    Path incr;
    try (Stream<Path> files = Files.list(redis.dir().resolve("appendonlydir"))) {
      incr =
          files
              .filter(p -> p.toString().endsWith(".incr.aof"))
              .sorted()
              .reduce((a, b) -> b)
              .orElseThrow();
    }
    Files.writeString(incr, "*3\r\n$3\r\nset\r\n$2\r\nk6", StandardOpenOption.APPEND);
    refusedEveryWay(
        false,
        "aof repair",
        "redis-check-aof --fix",
        "aof",
        "repair",
        "--dir",
        redis.dir().toString());
  }

  @Test
  void aofUndoFlushall() {
    for (int i = 1; i <= 20; i++) {
      redis.sync().set("k" + i, "v" + i);
    }
    redis.sync().flushall();
    refusedEveryWay(true, "aof undo-flushall", "Plan (undo-flushall)", "aof", "undo-flushall");
  }
}
