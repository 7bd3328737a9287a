package io.redisops.schedules;

import static io.redisops.schedules.DaemonHttp.get;
import static io.redisops.schedules.DaemonHttp.read;
import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.codec.Compression;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.retention.RetentionPolicy;
import io.redisops.backup.service.BackupContext;
import io.redisops.config.DaemonSettings;
import io.redisops.config.ListenAddress;
import io.redisops.config.NotifySettings;
import io.redisops.config.ScheduleSettings;
import io.redisops.config.Settings;
import io.redisops.redis.RedisEndpoint;
import io.redisops.schedules.observe.HealthEvaluator;
import io.redisops.schedules.status.StatusRegistry;
import io.redisops.storage.LocalRepository;
import io.redisops.testkit.Await;
import io.redisops.testkit.FreePorts;
import io.redisops.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wired daemon's /health, /metrics and notifications while its target Redis goes down and comes
 * back.
 */
class DaemonObservabilityIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  @Test
  void healthFollowsTheTargetAndTheHookHearsFailureAndRecovery() throws Exception {
    Path events = tmp.resolve("events.jsonl");
    Path hook = tmp.resolve("hook.sh");
    Files.writeString(hook, "#!/bin/sh\n{ cat; echo; } >> '" + events + "'\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
    int port;
    port = FreePorts.next();
    LocalRepository repo = new LocalRepository(tmp.resolve("repo"));
    BackupContext c = TestBackupContext.of(repo).redisTimeout(Duration.ofSeconds(5)).build();
    try (RedisServer redis = RedisServer.builder().start()) {
      redis.sync().set("k", "v");
      Settings settings =
          new Settings(
              repo.root(),
              Compression.ZSTD,
              RetentionPolicy.defaults(),
              List.of(new Settings.DatasetSettings("f", RedisEndpoint.parse(redis.uri()))),
              new ScheduleSettings(
                  "*/2 * * * * ?",
                  ScheduleSettings.DEFAULT_DAILY,
                  ScheduleSettings.DEFAULT_OFFSITE,
                  Duration.ofSeconds(1),
                  Duration.ofSeconds(5)),
              new DaemonSettings(
                  Optional.of(new ListenAddress("127.0.0.1", port)),
                  HealthEvaluator.DEFAULT_GRACE,
                  new NotifySettings(List.of(hook.toString()), null, Duration.ofSeconds(10))));
      Daemon daemon = new Daemon(settings, c, new StatusRegistry());
      daemon.start();
      try {
        Await.until(
            WAIT,
            "/health 200 after the first backups",
            () -> get(port, "/health").statusCode() == 200);

        redis.stop();
        Await.until(
            WAIT,
            "/health 503 while the target is down",
            () -> get(port, "/health").statusCode() == 503);
        assertThat(get(port, "/health").body())
            .contains("\"status\":\"unhealthy\"")
            .contains("hourly")
            .contains("last attempt failed");
        Await.until(
            WAIT,
            "the failure notification",
            () -> read(events).contains("\"event\":\"backup_failed\""));

        redis.start(); // same port and data
        Await.until(
            WAIT,
            "/health 200 after the target is back and a backup succeeded",
            () -> get(port, "/health").statusCode() == 200);
        Await.until(
            WAIT,
            "the recovery notification",
            () -> read(events).contains("\"event\":\"backup_recovered\""));

        String metrics = get(port, "/metrics").body();
        assertThat(metrics)
            .contains("redis_ops_up")
            .containsPattern(
                "redis_ops_backup_last_success_timestamp_seconds\\{dataset=\"f\",tier=\"hourly\"} [1-9]")
            .containsPattern(
                "redis_ops_backup_failures_total\\{dataset=\"f\",tier=\"hourly\"} [1-9]")
            .contains("redis_ops_backup_last_duration_seconds{dataset=\"f\",tier=\"daily\"}")
            .contains("redis_ops_backup_last_size_bytes{dataset=\"f\",tier=\"hourly\"}")
            .containsPattern("redis_ops_repository_backups\\{dataset=\"f\"} [1-9]")
            .contains("redis_ops_repository_size_bytes{dataset=\"f\"}");
        assertThat(read(events)).contains("\"dataset\":\"f\"").contains("\"tier\":\"hourly\"");
      } finally {
        daemon.stop(Duration.ofSeconds(10));
      }
      assertThat(daemon.httpAddress()).isPresent();
    }
  }
}
