package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redisops.testkit.Await;
import io.redisops.testkit.RedisServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of {@code redis-ops} in the middle of a backup: nothing half-done is ever listed,
 * the next run cleans up and succeeds. {@code rdb-key-save-delay} (microseconds per key) makes a
 * 20000-key save last seconds.
 */
class CliKillIT {
  private static final int KEYS = 20_000;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @RegisterExtension
  static final RedisServerExtension redis =
      RedisServerExtension.builder()
          .config("rdb-key-save-delay", "200")
          .config("repl-diskless-sync-delay", "0")
          .build();

  @TempDir Path tmp;

  @BeforeAll
  static void fill() {
    Map<String, String> batch = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      batch.put("key:" + i, "value-" + i);
      if (batch.size() == 1000) {
        redis.sync().mset(batch);
        batch.clear();
      }
    }
    assertThat(redis.sync().dbsize()).isEqualTo(KEYS);
  }

  @BeforeEach
  void slowSaves() {
    Await.until(
        WAIT,
        "no save running on " + redis.uri(),
        () -> "0".equals(redis.info("persistence", "rdb_bgsave_in_progress")));
    redis.sync().configSet("rdb-key-save-delay", "200");
  }

  private static String[] cli(Path repo, String dataset, String... args) {
    List<String> all =
        new java.util.ArrayList<>(
            List.of("--redis", redis.uri(), "--repo", repo.toString(), "--dataset", dataset));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  @Test
  void killedDuringAReplicationTransfer() throws Exception {
    Path repo = tmp.resolve("repo");
    String dataset = "it-kill-repl";
    long keys = redis.sync().dbsize();
    try (RedisOpsProcess.Background running =
        RedisOpsProcess.of(cli(repo, dataset, "backup", "--method", "replication")).start()) {
      Await.until(
          WAIT,
          "a temporary object under " + repo,
          () -> {
            if (!running.isAlive()) {
              throw new AssertionError(
                  "redis-ops ended before it was killed: "
                      + running.stdoutSoFar()
                      + running.stderrSoFar());
            }
            return RepoTree.partFiles(repo).stream()
                .anyMatch(p -> p.getFileName().toString().startsWith(".dump.rdb.zst.part-"));
          });
      running.kill9();
    }
    // the kill left its temporary object behind...
    assertThat(RepoTree.partFiles(repo)).isNotEmpty();
    // ...and nothing of it is listed
    assertThat(listedIds(repo, dataset)).isEmpty();

    redis.sync().configSet("rdb-key-save-delay", "0");
    RedisOpsProcess.Result b = RedisOpsProcess.run(cli(repo, dataset, "--json", "backup"));
    assertThat(b.exitCode()).as(b.describe()).isZero();
    JsonNode doc = CliBackupIT.singleJsonDocument(b.stdout());
    assertThat(doc.path("leftovers_removed").asInt()).as(b.describe()).isPositive();
    assertThat(doc.path("backup").path("total_keys").asLong()).isEqualTo(keys);

    assertCleanRepository(repo, dataset);
    assertThat(listedIds(repo, dataset)).containsExactly(doc.path("backup").path("id").asText());
  }

  @Test
  void killedWhileRedisRunsItsBgsave() throws Exception {
    Path repo = tmp.resolve("repo");
    String dataset = "it-kill-bgsave";
    long savesBefore = Long.parseLong(redis.info("persistence", "rdb_saves"));
    try (RedisOpsProcess.Background running =
        RedisOpsProcess.of(cli(repo, dataset, "backup", "--method", "bgsave")).start()) {
      Await.until(
          WAIT,
          "the BGSAVE of redis-ops running on " + redis.uri(),
          () -> {
            if (!running.isAlive()) {
              throw new AssertionError(
                  "redis-ops ended before it was killed: "
                      + running.stdoutSoFar()
                      + running.stderrSoFar());
            }
            return "1".equals(redis.info("persistence", "rdb_bgsave_in_progress"));
          });
      running.kill9();
    }
    // Redis's save outlives the killed client; a key written now is not in that snapshot.
    assertThat(redis.info("persistence", "rdb_bgsave_in_progress")).isEqualTo("1");
    redis.sync().set("written-after-the-killed-run-s-bgsave-started", "must be in the next backup");
    long keys = redis.sync().dbsize();
    redis.sync().configSet("rdb-key-save-delay", "0");
    // Before the list below: a CLI run (a JVM start) may outlast the save's remaining seconds on a
    // loaded machine.
    assertThat(redis.info("persistence", "rdb_bgsave_in_progress"))
        .as("the old save still runs")
        .isEqualTo("1");
    assertThat(listedIds(repo, dataset)).isEmpty();

    RedisOpsProcess.Result b =
        RedisOpsProcess.run(cli(repo, dataset, "--json", "backup", "--method", "bgsave"));
    assertThat(b.exitCode()).as(b.describe()).isZero();
    JsonNode backup = CliBackupIT.singleJsonDocument(b.stdout()).path("backup");
    assertThat(backup.path("total_keys").asLong())
        .as("the snapshot was taken after the key was written")
        .isEqualTo(keys);
    assertThat(Long.parseLong(redis.info("persistence", "rdb_saves")))
        .as("the killed run's save, then ours")
        .isGreaterThanOrEqualTo(savesBefore + 2);

    assertCleanRepository(repo, dataset);
    assertThat(listedIds(repo, dataset)).containsExactly(backup.path("id").asText());
  }

  private static List<String> listedIds(Path repo, String dataset) throws Exception {
    RedisOpsProcess.Result l = RedisOpsProcess.run(cli(repo, dataset, "--json", "list"));
    assertThat(l.exitCode()).as(l.describe()).isZero();
    List<String> ids = new java.util.ArrayList<>();
    CliBackupIT.singleJsonDocument(l.stdout())
        .path("backups")
        .forEach(b -> ids.add(b.path("id").asText()));
    return ids;
  }

  /** No temporary file and no backup folder without its manifest. */
  private static void assertCleanRepository(Path repo, String dataset) {
    assertThat(RepoTree.partFiles(repo)).isEmpty();
    List<Path> folders = RepoTree.backupFolders(repo, dataset);
    assertThat(folders).hasSize(1);
    for (Path f : folders) {
      assertThat(Files.isRegularFile(f.resolve("manifest.json")))
          .as(f + " has its manifest")
          .isTrue();
    }
  }
}
