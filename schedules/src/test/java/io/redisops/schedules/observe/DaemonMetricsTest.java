package io.redisops.schedules.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisops.schedules.status.DatasetStatus;
import io.redisops.schedules.status.StatusRegistry;
import io.redisops.schedules.status.TierStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DaemonMetricsTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final String CACHE_HOURLY = "{dataset=\"cache\",tier=\"hourly\"}";

  private final StatusRegistry status = new StatusRegistry();

  @Test
  void tierSeriesFollowTheRegistryAtScrapeTime() {
    status.register(TierStatus.initial("cache", "hourly", Duration.ofHours(1)));
    DaemonMetrics metrics = new DaemonMetrics(status);

    Map<String, Double> before = PrometheusText.samples(metrics.scrape());
    assertEquals(1.0, before.get("redis_ops_up"));
    assertEquals(0.0, before.get("redis_ops_backup_last_success_timestamp_seconds" + CACHE_HOURLY));
    assertTrue(before.get("redis_ops_backup_last_duration_seconds" + CACHE_HOURLY).isNaN());
    assertTrue(before.get("redis_ops_backup_last_size_bytes" + CACHE_HOURLY).isNaN());
    assertEquals(3600.0, before.get("redis_ops_backup_period_seconds" + CACHE_HOURLY));

    status.update(
        "cache",
        "hourly",
        t -> t.succeeded(T0, T0.plusMillis(500), Duration.ofMillis(2500), 123_456));
    status.update("cache", "hourly", t -> t.failed(T0.plusSeconds(3600), "boom"));
    status.update("cache", "hourly", t -> t.failed(T0.plusSeconds(3700), "boom"));

    Map<String, Double> after = PrometheusText.samples(metrics.scrape());
    assertEquals(
        T0.getEpochSecond() + 0.5,
        after.get("redis_ops_backup_last_success_timestamp_seconds" + CACHE_HOURLY));
    assertEquals(2.5, after.get("redis_ops_backup_last_duration_seconds" + CACHE_HOURLY));
    assertEquals(123_456.0, after.get("redis_ops_backup_last_size_bytes" + CACHE_HOURLY));
    assertEquals(2.0, after.get("redis_ops_backup_failures_total" + CACHE_HOURLY));
    assertEquals(2.0, after.get("redis_ops_backup_consecutive_failures" + CACHE_HOURLY));
    assertEquals(0.0, after.get("redis_ops_backup_last_attempt_ok" + CACHE_HOURLY));

    status.update(
        "cache",
        "hourly",
        t -> t.succeeded(T0.plusSeconds(3800), T0.plusSeconds(3800), Duration.ZERO, 7));
    Map<String, Double> recovered = PrometheusText.samples(metrics.scrape());
    assertEquals(
        2.0,
        recovered.get("redis_ops_backup_failures_total" + CACHE_HOURLY),
        "failures never decrease");
    assertEquals(0.0, recovered.get("redis_ops_backup_consecutive_failures" + CACHE_HOURLY));
    assertEquals(1.0, recovered.get("redis_ops_backup_last_attempt_ok" + CACHE_HOURLY));
  }

  @Test
  void tiersAndDatasetsRegisteredAfterBindingAppear() {
    DaemonMetrics metrics = new DaemonMetrics(status);
    assertFalse(metrics.scrape().contains("dataset=\"sessions\""));

    status.register(TierStatus.initial("sessions", "daily", Duration.ofDays(1)));
    status.updateDataset(new DatasetStatus("sessions", 3, 4096));
    status.register(TierStatus.initial("cache", "hourly", Duration.ofHours(1)));
    status.updateDataset(new DatasetStatus("cache", 48, 1_000_000));

    Map<String, Double> s = PrometheusText.samples(metrics.scrape());
    assertEquals(
        86400.0, s.get("redis_ops_backup_period_seconds{dataset=\"sessions\",tier=\"daily\"}"));
    assertEquals(3600.0, s.get("redis_ops_backup_period_seconds" + CACHE_HOURLY));
    assertEquals(3.0, s.get("redis_ops_repository_backups{dataset=\"sessions\"}"));
    assertEquals(4096.0, s.get("redis_ops_repository_size_bytes{dataset=\"sessions\"}"));
    assertEquals(48.0, s.get("redis_ops_repository_backups{dataset=\"cache\"}"));

    status.updateDataset(new DatasetStatus("cache", 47, 999_000, 2));
    Map<String, Double> later = PrometheusText.samples(metrics.scrape());
    assertEquals(47.0, later.get("redis_ops_repository_backups{dataset=\"cache\"}"));
    assertEquals(2.0, later.get("redis_ops_repository_checksum_only_backups{dataset=\"cache\"}"));
    assertEquals(
        0.0, later.get("redis_ops_repository_checksum_only_backups{dataset=\"sessions\"}"));
    assertEquals(999_000.0, later.get("redis_ops_repository_size_bytes{dataset=\"cache\"}"));
  }

  @Test
  void everyDocumentedSeriesIsExposed() {
    status.register(TierStatus.initial("cache", "hourly", Duration.ofHours(1)));
    status.updateDataset(new DatasetStatus("cache", 0, 0));
    Map<String, Double> s = PrometheusText.samples(new DaemonMetrics(status).scrape());
    for (String name :
        new String[] {
          "redis_ops_backup_last_success_timestamp_seconds",
          "redis_ops_backup_last_duration_seconds",
          "redis_ops_backup_last_size_bytes",
          "redis_ops_backup_failures_total",
          "redis_ops_backup_consecutive_failures",
          "redis_ops_backup_last_attempt_ok",
          "redis_ops_backup_period_seconds"
        }) {
      assertTrue(s.containsKey(name + CACHE_HOURLY), name);
    }
    assertTrue(s.containsKey("redis_ops_repository_backups{dataset=\"cache\"}"));
    assertTrue(s.containsKey("redis_ops_repository_size_bytes{dataset=\"cache\"}"));
    assertTrue(s.containsKey("redis_ops_repository_checksum_only_backups{dataset=\"cache\"}"));
    assertTrue(s.containsKey("redis_ops_up"));
    status.recordSkip("cache");
    assertEquals(
        1.0,
        PrometheusText.samples(new DaemonMetrics(status).scrape())
            .get("redis_ops_backup_skipped_total{dataset=\"cache\"}"));
    status.recordBusy("cache");
    assertEquals(
        1.0,
        PrometheusText.samples(new DaemonMetrics(status).scrape())
            .get("redis_ops_backup_busy_total{dataset=\"cache\"}"));
    assertTrue(
        s.get("redis_ops_daemon_start_timestamp_seconds") > T0.getEpochSecond() - 86400L * 365);
    assertEquals(14, s.size(), s.keySet().toString());
  }

  @Test
  void theRepositoryFileSystemIsMeasuredFromTheNearestExistingFolder(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    DaemonMetrics metrics =
        new DaemonMetrics(status).bindRepositoryFilesystem(tmp.resolve("not/yet/created"));
    metrics.bindRepositoryFilesystem(tmp); // idempotent
    Map<String, Double> s = PrometheusText.samples(metrics.scrape());
    java.nio.file.FileStore store = java.nio.file.Files.getFileStore(tmp);
    assertEquals(
        (double) store.getTotalSpace(), s.get("redis_ops_repository_filesystem_size_bytes"));
    double avail = s.get("redis_ops_repository_filesystem_avail_bytes");
    assertTrue(avail > 0 && avail <= store.getTotalSpace(), "avail " + avail);
  }
}
