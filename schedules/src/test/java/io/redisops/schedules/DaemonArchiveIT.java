package io.redisops.schedules;

import static io.redisops.schedules.DaemonHttp.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.archive.ArchiveStore;
import io.redisops.backup.archive.ArchiverStatus;
import io.redisops.backup.archive.Segment;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.retention.RetentionPolicy;
import io.redisops.backup.service.BackupContext;
import io.redisops.config.ArchiveSettings;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon with {@code archive.enabled}: the archiver runs beside the jobs and stops with them.
 */
class DaemonArchiveIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  @Test
  void theDaemonArchivesTheStreamAndPublishesItsState() throws Exception {
    int port = FreePorts.next();
    LocalRepository repo = new LocalRepository(tmp.resolve("repo"));
    BackupContext c = TestBackupContext.of(repo).redisTimeout(Duration.ofSeconds(5)).build();
    try (RedisServer redis =
        RedisServer.builder()
            .config("repl-diskless-sync", "yes")
            .config("repl-diskless-sync-delay", "0")
            .start()) {
      Settings settings =
          new Settings(
              repo.root(),
              Compression.ZSTD,
              RetentionPolicy.defaults(),
              List.of(new Settings.DatasetSettings("a", RedisEndpoint.parse(redis.uri()))),
              new ScheduleSettings(
                  ScheduleSettings.DEFAULT_HOURLY,
                  ScheduleSettings.DEFAULT_DAILY,
                  ScheduleSettings.DEFAULT_OFFSITE,
                  Duration.ofSeconds(1),
                  Duration.ofSeconds(5),
                  null),
              new DaemonSettings(
                  Optional.of(new ListenAddress("127.0.0.1", port)),
                  HealthEvaluator.DEFAULT_GRACE,
                  NotifySettings.none(),
                  new ArchiveSettings(true, Duration.ofMillis(200), 1024 * 1024)));
      StatusRegistry status = new StatusRegistry();
      Daemon daemon = new Daemon(settings, c, status);
      daemon.start();
      try {
        Await.until(
            WAIT,
            "the archiver streaming",
            () -> status.archives().get(0).state() == ArchiverStatus.State.STREAMING);
        redis.sync().set("archived", "by-the-daemon");
        long target = Long.parseLong(redis.info("replication", "master_repl_offset"));
        ArchiveStore store = new ArchiveStore(repo, Compression.ZSTD);
        List<Segment> segments =
            Await.value(
                WAIT,
                "the archive to reach offset " + target,
                () -> {
                  try {
                    List<Segment> s = store.segments("a");
                    return !s.isEmpty() && s.get(s.size() - 1).endOffset() >= target ? s : null;
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                });
        StringBuilder all = new StringBuilder();
        for (Segment s : segments) {
          try (InputStream in = store.open(s)) {
            all.append(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
          }
        }
        assertThat(all).contains("$8\r\narchived\r\n$13\r\nby-the-daemon\r\n");

        // the archiver notes the seal just after the segment it awaited became visible: wait for it
        String metrics =
            Await.value(
                Duration.ofSeconds(30),
                "the metrics to show the last seal",
                () -> {
                  String body = get(port, "/metrics").body();
                  return body.matches(
                          "(?s).*redis_ops_archive_last_sealed_timestamp_seconds\\{dataset=\"a\"} 1.*")
                      ? body
                      : null;
                });
        assertThat(metrics)
            .contains("redis_ops_archive_streaming{dataset=\"a\"} 1.0")
            .containsPattern("redis_ops_archive_last_sealed_timestamp_seconds\\{dataset=\"a\"} 1")
            .contains("redis_ops_archive_lag_seconds{dataset=\"a\"}")
            .contains("redis_ops_archive_lag_bytes{dataset=\"a\"}")
            .contains("redis_ops_archive_gaps_total{dataset=\"a\"} 0.0");
      } finally {
        daemon.stop(Duration.ofSeconds(10));
      }
      assertThat(status.archives().get(0).state()).isEqualTo(ArchiverStatus.State.STOPPED);
    }
  }
}
