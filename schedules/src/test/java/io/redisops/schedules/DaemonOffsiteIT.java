package io.redisops.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.Offsite;
import io.redisops.config.ConfigLoader;
import io.redisops.config.Settings;
import io.redisops.schedules.status.StatusRegistry;
import io.redisops.storage.LocalRepository;
import io.redisops.testkit.Await;
import io.redisops.testkit.RedisServerExtension;
import io.redisops.testkit.S3ProxyExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's off-site job against a real S3 server (S3Proxy) that is down at first: nothing is
 * skipped.
 */
class DaemonOffsiteIT {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.builder().build();

  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();

  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path tmp;

  @Test
  void backupsTakenDuringAnS3OutageAllReachItAfterwards() throws Exception {
    s3.createBucket("daemon");
    redis.sync().set("k", "v");
    Path cfg =
        Files.writeString(
            tmp.resolve("redis-ops.yaml"),
            String.join(
                "\n",
                "datasets:",
                "  - name: d",
                "    redis: {uri: \"" + redis.uri() + "\"}",
                "repository: {path: \"" + tmp.resolve("repo") + "\"}",
                "schedule:",
                "  hourly: \"*/2 * * * * ?\"",
                "  retry-backoff: 1s",
                "http: {listen: \"off\"}",
                "offsite:",
                "  uri: s3://daemon/prod",
                "  endpoint: " + s3.endpoint(),
                "  region: " + s3.region(),
                "  path-style: true",
                "  credentials: env",
                "  push-after-backup: true",
                ""));
    Settings settings =
        Settings.resolve(
            ConfigLoader.load(cfg),
            Settings.Overrides.none(),
            Map.of(
                "REDIS_OPS_S3_ACCESS_KEY_ID",
                s3.accessKey(),
                "REDIS_OPS_S3_SECRET_ACCESS_KEY",
                s3.secretKey()));
    LocalRepository repo = new LocalRepository(settings.repositoryPath());
    BackupContext local =
        TestBackupContext.of(repo)
            .compression(settings.compression())
            .retention(settings.retention())
            .redisTimeout(Duration.ofSeconds(5))
            .build();
    StatusRegistry status = new StatusRegistry();

    s3.stop(); // the outage: local backups must go on
    Daemon daemon = new Daemon(settings, local, status);
    daemon.start();
    Instant pushedAt;
    try {
      Await.until(
          WAIT,
          "three local backups while the off-site push keeps failing",
          () -> ids(local, "d").size() >= 3 && status.tier("d", "offsite").failures() >= 2);
      assertThat(status.tier("d", "offsite").lastAttemptOk()).isFalse();

      s3.start();
      Instant back = Instant.now();
      // A push that began during the outage may still succeed through the SDK's retries; wait for
      // one that began after.
      Await.until(
          WAIT,
          "a successful push started after the outage",
          () ->
              status.tier("d", "offsite").lastAttemptOk()
                  && status.tier("d", "offsite").lastSuccess() != null
                  && status.tier("d", "offsite").lastSuccess().isAfter(back));
      pushedAt = status.tier("d", "offsite").lastSuccess();
    } finally {
      daemon.stop(Duration.ofSeconds(10));
    }
    try (Offsite offsite = settings.offsite().orElseThrow().connect(local)) {
      Set<String> remote =
          offsite.remote().catalog("d").list().stream()
              .map(Manifest::id)
              .collect(Collectors.toSet());
      List<String> due =
          local.catalog("d").list().stream()
              .filter(m -> m.completedAt().isBefore(pushedAt))
              .map(Manifest::id)
              .toList();
      assertThat(due).hasSizeGreaterThanOrEqualTo(3);
      assertThat(remote)
          .as("every local backup completed before the last successful push started is off-site")
          .containsAll(due);
    }
  }

  private static List<String> ids(BackupContext c, String dataset) {
    try {
      return c.catalog(dataset).list().stream().map(Manifest::id).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
