package io.redisops.schedules;

import static io.redisops.schedules.DaemonHttp.get;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules ({@code dist/prometheus/redis-ops.rules.yml}) and the Grafana dashboard ({@code
 * dist/grafana/redis-ops-dashboard.json}) only name series that a running daemon exports: every
 * {@code redis_ops_*} name they use appears in a real daemon's {@code /metrics} (the daemon backs
 * up a real redis-server, so every per-dataset and per-tier series is bound; drills are scheduled
 * at their default time, so the drill series are bound too; {@code archive.enabled} is on, so the
 * point-in-time archive's series are bound). {@code up} is Prometheus' own series.
 */
class DaemonRulesAndDashboardIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern NAME = Pattern.compile("\\bredis_ops_[a-z0-9_]*[a-z0-9]\\b");

  @TempDir Path tmp;

  @Test
  void everySeriesOfTheRulesAndTheDashboardIsExported() throws Exception {
    Path root =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .toAbsolutePath()
            .getParent();
    Set<String> used = new TreeSet<>();
    used.addAll(names(Files.readString(root.resolve("dist/prometheus/redis-ops.rules.yml"))));
    used.addAll(names(Files.readString(root.resolve("dist/grafana/redis-ops-dashboard.json"))));
    assertThat(used)
        .as("series named by the rules and the dashboard")
        .contains(
            "redis_ops_backup_last_success_timestamp_seconds",
            "redis_ops_backup_period_seconds",
            "redis_ops_repository_filesystem_avail_bytes",
            "redis_ops_daemon_start_timestamp_seconds",
            "redis_ops_drill_last_ok",
            "redis_ops_drill_last_success_timestamp_seconds",
            "redis_ops_sentinel_check",
            "redis_ops_archive_streaming",
            "redis_ops_archive_lag_seconds",
            "redis_ops_archive_lag_bytes",
            "redis_ops_archive_last_sealed_timestamp_seconds",
            "redis_ops_archive_offsite_lag_seconds",
            "redis_ops_archive_gaps_total");
    // Exported only by a daemon with a Sentinel group to check: DaemonSentinelChecksIT reads these
    // series from a real one (this daemon has none, so they are left out of its comparison below).
    Set<String> sentinelOnly =
        Set.of("redis_ops_sentinel_check", "redis_ops_sentinel_check_last_run_timestamp_seconds");
    used.removeAll(sentinelOnly);

    int port;
    port = FreePorts.next();
    LocalRepository repo = new LocalRepository(tmp.resolve("repo"));
    BackupContext c = TestBackupContext.of(repo).redisTimeout(Duration.ofSeconds(5)).build();
    try (RedisServer redis =
        RedisServer.builder()
            .config("repl-diskless-sync", "yes")
            .config("repl-diskless-sync-delay", "0")
            .start()) {
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
                  new NotifySettings(List.of(), null, Duration.ofSeconds(10)),
                  new ArchiveSettings(true, Duration.ofMillis(200), 1024 * 1024)));
      Daemon daemon = new Daemon(settings, c, new StatusRegistry());
      daemon.start();
      try {
        Await.until(
            WAIT,
            "/health 200 after the first backups",
            () -> get(port, "/health").statusCode() == 200);
        String metrics = get(port, "/metrics").body();
        Set<String> exported = new TreeSet<>();
        for (String line : metrics.split("\n")) {
          Matcher m = Pattern.compile("^(redis_ops_[a-z0-9_]+)[{ ]").matcher(line);
          if (m.find()) {
            exported.add(m.group(1));
          }
        }
        assertThat(exported).as("series exported by the daemon:\n%s", metrics).containsAll(used);
        assertThat(metrics).containsPattern("redis_ops_repository_filesystem_avail_bytes [1-9]");
      } finally {
        daemon.stop(Duration.ofSeconds(10));
      }
    }
  }

  private static Set<String> names(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = NAME.matcher(text);
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }
}
