package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.testkit.Await;
import io.redisops.testkit.RedisServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routine events of the daemon (a real process) are not failures: a stop past {@code stop-grace}
 * abandons the running capture, and a CLI backup holding the dataset's lock when the daemon wants
 * to back up makes it "busy, retry later". Neither sends {@code backup_failed} to the notify
 * command, counts a failure, or turns /health to 503.
 */
class DaemonRoutineEventsIT {
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

  @AfterEach
  void fastSaves() {
    redis.sync().configSet("rdb-key-save-delay", "0");
  }

  /** The notify command appends every event (one JSON object per line) to {@code hook}. */
  private Path config(String extraSchedule, String listen, Path hook) throws Exception {
    // a save left running by an earlier test must not be taken for the one a test starts
    Await.until(
        Duration.ofSeconds(60),
        "no save running",
        () -> "0".equals(redis.info("persistence", "rdb_bgsave_in_progress")));
    return Files.writeString(
        tmp.resolve("redis-ops.yaml"),
        String.join(
            "\n",
            "datasets:",
            "  - name: routine",
            "    redis:",
            "      uri: " + redis.uri(),
            "repository:",
            "  path: " + tmp.resolve("repo"),
            "schedule:",
            extraSchedule,
            "http:",
            "  listen: \"" + listen + "\"",
            "notify:",
            "  command: [\"/bin/sh\", \"-c\", \"cat >> " + hook + "; echo >> " + hook + "\"]",
            ""));
  }

  @Test
  void sigtermPastTheStopGraceAbandonsTheCaptureWithoutAFailure() throws Exception {
    Path hook = tmp.resolve("events.jsonl");
    // 4000 keys at 3 ms each: about 12 s of capture; the grace is 1 s
    redis.sync().configSet("rdb-key-save-delay", "3000");
    Path cfg = config("  stop-grace: 1s", "off", hook);
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
      assertThat(r.stderr())
          .as(r.describe())
          .contains("abandoned: the daemon is stopping (not a failure")
          .doesNotContain("] failed:")
          .contains("daemon stopped");
    }
    // the notifier is closed after the last job ended, so an event sent would be in the file by now
    assertThat(read(hook)).doesNotContain("backup_failed");
  }

  @Test
  void aCliBackupHoldingTheLockMakesTheDaemonBusyNotFailed() throws Exception {
    Path hook = tmp.resolve("events.jsonl");
    int port = RedisOpsProcess.freePort();
    // the hourly tier every second: due at once at start (catch-up) and again every second while
    // the lock is held
    Path cfg = config("  hourly: \"* * * * * ?\"\n  retry-backoff: 1s", "127.0.0.1:" + port, hook);
    // fresh successes of both tiers, so that /health has no other reason for a 503
    for (String tier : new String[] {"hourly", "daily"}) {
      RedisOpsProcess.Result b =
          RedisOpsProcess.run("-c", cfg.toString(), "backup", "--tier", tier);
      assertThat(b.exitCode()).as(b.describe()).isZero();
    }

    redis
        .sync()
        .configSet("rdb-key-save-delay", "4000"); // about 16 s of capture for the CLI backup
    try (RedisOpsProcess.Background cli =
        RedisOpsProcess.of("-c", cfg.toString(), "backup", "--tier", "manual").start()) {
      Await.until(
          Duration.ofSeconds(60),
          "the CLI backup's capture to be running",
          () -> "1".equals(redis.info("persistence", "rdb_bgsave_in_progress")));
      try (RedisOpsProcess.Background daemon =
          RedisOpsProcess.of("-c", cfg.toString(), "daemon").start()) {
        Await.until(
            Duration.ofSeconds(60),
            "the daemon to find the dataset busy",
            () -> daemon.stderrSoFar().contains("deferred, busy"));
        assertThat(cli.isAlive()).as("the CLI backup still holds the lock").isTrue();

        HttpResponse<String> health = get(port, "/health");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"ok\"");
        String metrics = get(port, "/metrics").body();
        assertThat(metrics)
            .contains("redis_ops_backup_failures_total{dataset=\"routine\",tier=\"hourly\"} 0.0");
        assertThat(metrics)
            .containsPattern("redis_ops_backup_busy_total\\{dataset=\"routine\"} [1-9]");
        assertThat(daemon.stderrSoFar())
            .contains("not a failure; retried later")
            .doesNotContain("] failed:");

        daemon.terminate();
        RedisOpsProcess.Result r = daemon.await(Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.describe()).isZero();
      }
    }
    assertThat(read(hook)).doesNotContain("backup_failed");
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static String read(Path file) throws Exception {
    return Files.exists(file) ? Files.readString(file) : "";
  }
}
