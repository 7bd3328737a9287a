package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.testkit.Await;
import io.redisops.testkit.RedisServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code redis-ops daemon} as a real process: stop on SIGTERM, and configuration refused up front.
 */
class CliDaemonIT {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.builder().build();

  @TempDir Path tmp;

  @BeforeAll
  static void fill() {
    Map<String, String> batch = new HashMap<>();
    for (int i = 0; i < 4000; i++) {
      batch.put("key:" + i, "value:" + i);
      if (batch.size() == 500) {
        redis.sync().mset(batch);
        batch.clear();
      }
    }
  }

  private Path config(String stopGrace) throws Exception {
    // a save left running by an earlier test must not be taken for the daemon's
    Await.until(
        Duration.ofSeconds(60),
        "no save running",
        () -> "0".equals(redis.info("persistence", "rdb_bgsave_in_progress")));
    Path file = tmp.resolve("redis-ops.yaml");
    Files.writeString(
        file,
        String.join(
            "\n",
            "datasets:",
            "  - name: slow",
            "    redis:",
            "      uri: " + redis.uri(),
            "repository:",
            "  path: " + tmp.resolve("repo"),
            "schedule:",
            "  stop-grace: " + stopGrace,
            "http:",
            "  listen: \"off\"",
            ""));
    return file;
  }

  @Test
  void sigtermDuringASlowCaptureAbandonsItCleanlyAndExitsZero() throws Exception {
    // 4000 keys at 3 ms each: the capture would take about 12 s; the stop grace is 1 s.
    redis.sync().configSet("rdb-key-save-delay", "3000");
    Path cfg = config("1s");
    try (RedisOpsProcess.Background daemon =
        RedisOpsProcess.of("-c", cfg.toString(), "daemon").start()) {
      Await.until(
          Duration.ofSeconds(60),
          "the daemon's catch-up capture to be running",
          () ->
              daemon.stderrSoFar().contains("catch-up backup")
                  && "1".equals(redis.info("persistence", "rdb_bgsave_in_progress")));
      daemon.terminate();
      RedisOpsProcess.Result r = daemon.await(Duration.ofSeconds(60));
      assertThat(r.exitCode()).as(r.describe()).isZero();
      assertThat(r.stderr()).as(r.describe()).contains("abandon").contains("daemon stopped");
    } finally {
      redis.sync().configSet("rdb-key-save-delay", "0");
    }
    RedisOpsProcess.Result list = RedisOpsProcess.run("-c", cfg.toString(), "--json", "list");
    assertThat(list.exitCode()).as(list.describe()).isZero();
    assertThat(list.stdout()).contains("\"backups\" : [ ]");
    assertThat(RepoTree.partFiles(tmp.resolve("repo"))).isEmpty();
  }

  @Test
  void sigtermLetsACaptureWithinTheGraceFinish() throws Exception {
    // about 1 s of capture, 30 s of grace: the backup completes and is listed
    redis.sync().configSet("rdb-key-save-delay", "250");
    Path cfg = config("30s");
    try (RedisOpsProcess.Background daemon =
        RedisOpsProcess.of("-c", cfg.toString(), "daemon").start()) {
      Await.until(
          Duration.ofSeconds(60),
          "the daemon's catch-up capture to be running",
          () ->
              daemon.stderrSoFar().contains("catch-up backup")
                  && "1".equals(redis.info("persistence", "rdb_bgsave_in_progress")));
      daemon.terminate();
      RedisOpsProcess.Result r = daemon.await(Duration.ofSeconds(60));
      assertThat(r.exitCode()).as(r.describe()).isZero();
      assertThat(r.stderr()).as(r.describe()).doesNotContain("abandon");
    } finally {
      redis.sync().configSet("rdb-key-save-delay", "0");
    }
    RedisOpsProcess.Result list = RedisOpsProcess.run("-c", cfg.toString(), "list");
    assertThat(list.stdoutLines()).as(list.describe()).hasSize(2); // header and the one backup
    assertThat(list.stdout()).contains("hourly,daily").contains("4000");
  }

  @Test
  void badConfigurationIsRefusedNamingTheKey() throws Exception {
    assertRefused("schedule:\n  hourly: \"every hour\"\n", "schedule.hourly");
    assertRefused("schedule:\n  daily: \"0 5 0 * *\"\n", "schedule.daily");
    assertRefused("retention:\n  daily: 30 days\n", "retention.daily");
    assertRefused("schedule:\n  retry-backoff: soon\n", "schedule.retry-backoff");
    assertRefused("repository:\n  pth: /tmp/x\n", "repository.pth");
    assertRefused("shedule:\n  hourly: \"0 0 * * * ?\"\n", "shedule");
  }

  private void assertRefused(String yaml, String key) throws Exception {
    Path file =
        Files.writeString(
            tmp.resolve("bad-" + Integer.toHexString(yaml.hashCode()) + ".yaml"), yaml);
    RedisOpsProcess.Result r = RedisOpsProcess.run("-c", file.toString(), "daemon");
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
    assertThat(r.stderrLines()).as(r.describe()).hasSize(1);
    assertThat(r.stderr()).as(r.describe()).startsWith("redis-ops: ").contains(key);
  }
}
