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
import io.redisops.schedules.status.SentinelChecks;
import io.redisops.schedules.status.StatusRegistry;
import io.redisops.sentinel.CheckResult;
import io.redisops.sentinel.SentinelTarget;
import io.redisops.storage.LocalRepository;
import io.redisops.testkit.Await;
import io.redisops.testkit.FreePorts;
import io.redisops.testkit.RedisGroupExtension;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's continuous deployment checks on a real Sentinel group: persistence switched off on
 * the master is a FAIL of the check {@code persistence}, seen by the first check run after the
 * change; /health turns 503 naming it, /metrics shows the series at 2, one notification; switched
 * back on, /health is 200 again and one recovery notification follows.
 */
class DaemonSentinelChecksIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Duration INTERVAL = Duration.ofSeconds(3);

  @RegisterExtension
  static final RedisGroupExtension group =
      RedisGroupExtension.builder().replicas(2).sentinels(3).config("save", "3600 1").build();

  @TempDir Path tmp;

  @Test
  void aFailingCheckMakesHealthUnhealthyNotifiesOnceAndRecovers() throws Exception {
    Path events = tmp.resolve("events.jsonl");
    Path hook = tmp.resolve("hook.sh");
    Files.writeString(hook, "#!/bin/sh\n{ cat; echo; } >> '" + events + "'\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
    int port = FreePorts.next();
    LocalRepository repo = new LocalRepository(tmp.resolve("repo"));
    BackupContext c = TestBackupContext.of(repo).redisTimeout(Duration.ofSeconds(5)).build();
    RedisEndpoint master = RedisEndpoint.parse(group.master().uri());
    List<RedisEndpoint> sentinels =
        group.sentinels().stream()
            .map(s -> RedisEndpoint.parse("redis://127.0.0.1:" + s.port()))
            .toList();
    Settings settings =
        new Settings(
            repo.root(),
            Compression.ZSTD,
            RetentionPolicy.defaults(),
            List.of(
                new Settings.DatasetSettings(group.masterName(), master)
                    .withSentinel(
                        new SentinelTarget(group.masterName(), sentinels, master),
                        io.redisops.sentinel.BackupFrom
                            .MASTER, // this daemon's Redis: it backs up itself
                        INTERVAL)),
            new ScheduleSettings(
                ScheduleSettings.DEFAULT_HOURLY,
                ScheduleSettings.DEFAULT_DAILY,
                ScheduleSettings.DEFAULT_OFFSITE,
                Duration.ofSeconds(1),
                Duration.ofSeconds(5)),
            new DaemonSettings(
                Optional.of(new ListenAddress("127.0.0.1", port)),
                HealthEvaluator.DEFAULT_GRACE,
                new NotifySettings(List.of(hook.toString()), null, Duration.ofSeconds(10))));
    StatusRegistry status = new StatusRegistry();
    Daemon daemon = new Daemon(settings, c, status);
    daemon.start();
    try {
      Await.until(
          WAIT,
          "/health 200 after the catch-up backups and a passing check run",
          () -> get(port, "/health").statusCode() == 200 && !status.sentinelChecks().isEmpty());
      assertThat(get(port, "/metrics").body())
          .contains("redis_ops_sentinel_check{check=\"persistence\",dataset=\"mymaster\"} 0.0");

      group.master().sync().configSet("save", "");
      // Taken once the change is applied: a run that started while CONFIG SET was in flight may
      // still have read the old value.
      Instant changedAt = Instant.now();
      // The first run that starts after the change sees it: within one check interval.
      AtomicReference<SentinelChecks> firstAfter = new AtomicReference<>();
      Await.until(
          WAIT,
          "a check run started after the change",
          () -> {
            SentinelChecks s = status.sentinelChecks().get(0);
            if (s.checkedAt().isAfter(changedAt)) {
              firstAfter.compareAndSet(null, s);
              return true;
            }
            return false;
          });
      assertThat(firstAfter.get().level("persistence")).isEqualTo(CheckResult.Level.FAIL);
      System.out.println(
          "first FAIL run started "
              + Duration.between(changedAt, firstAfter.get().checkedAt()).toMillis()
              + " ms after the change (check interval "
              + INTERVAL.toMillis()
              + " ms)");
      HttpResponse<String> health = get(port, "/health");
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body())
          .contains("\"tier\":\"sentinel\"")
          .contains("sentinel check 'persistence' FAIL")
          .contains("the master has no persistence");
      assertThat(get(port, "/metrics").body())
          .contains("redis_ops_sentinel_check{check=\"persistence\",dataset=\"mymaster\"} 2.0")
          .contains("redis_ops_sentinel_check{check=\"quorum\",dataset=\"mymaster\"} 0.0")
          .contains("redis_ops_sentinel_check_last_run_timestamp_seconds{dataset=\"mymaster\"}");
      // A further run at FAIL: still one notification.
      Instant failedAt = firstAfter.get().checkedAt();
      Await.until(
          WAIT,
          "another check run",
          () -> status.sentinelChecks().get(0).checkedAt().isAfter(failedAt));
      Await.until(
          WAIT,
          "the failure notification",
          () -> read(events).contains("\"event\":\"sentinel_check_failed\""));

      group.master().sync().configSet("save", "3600 1");
      Await.until(WAIT, "/health 200 again", () -> get(port, "/health").statusCode() == 200);
      Await.until(
          WAIT,
          "the recovery notification",
          () -> read(events).contains("\"event\":\"sentinel_check_recovered\""));
      List<String> lines =
          read(events).lines().filter(l -> l.contains("\"event\":\"sentinel_check")).toList();
      assertThat(lines).hasSize(2);
      assertThat(lines.get(0))
          .contains("\"event\":\"sentinel_check_failed\"")
          .contains("\"dataset\":\"mymaster\"")
          .contains("\"check\":\"persistence\"")
          .contains("\"level\":\"FAIL\"");
      assertThat(lines.get(1))
          .contains("\"event\":\"sentinel_check_recovered\"")
          .contains("\"check\":\"persistence\"")
          .contains("\"level\":\"PASS\"");
    } finally {
      daemon.stop(Duration.ofSeconds(10));
    }
  }
}
