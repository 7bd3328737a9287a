package io.redisops.schedules.observe;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.redisops.schedules.status.DatasetStatus;
import io.redisops.schedules.status.DrillStatus;
import io.redisops.schedules.status.SentinelChecks;
import io.redisops.schedules.status.StatusRegistry;
import io.redisops.schedules.status.TierStatus;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a {@link StatusRegistry} as Prometheus series. Every meter reads the registry when
 * scraped, so values are never stale; tiers and datasets that appear after construction are bound
 * by {@link #refresh()}, which {@link #scrape()} calls first. Names (as exposed;
 * docs/operations.md, "Metrics", lists them):
 *
 * <ul>
 *   <li>{@code redis_ops_up} 1 while the daemon runs
 *   <li>per {@code dataset}, {@code tier}: {@code redis_ops_backup_last_success_timestamp_seconds}
 *       (0 when none is known), {@code redis_ops_backup_last_duration_seconds}, {@code
 *       redis_ops_backup_last_size_bytes} (NaN when unknown), {@code
 *       redis_ops_backup_failures_total}, {@code redis_ops_backup_consecutive_failures}, {@code
 *       redis_ops_backup_last_attempt_ok} (1 or 0), {@code redis_ops_backup_period_seconds}
 *   <li>per {@code dataset}: {@code redis_ops_repository_backups}, {@code
 *       redis_ops_repository_size_bytes}, {@code redis_ops_repository_checksum_only_backups},
 *       {@code redis_ops_backup_skipped_total} (runs left to the daemon whose Redis is the
 *       Sentinel-chosen source), {@code redis_ops_backup_busy_total} (runs deferred because another
 *       operation held the lock)
 *   <li>per {@code dataset}, with drills scheduled: {@code
 *       redis_ops_drill_last_success_timestamp_seconds} (0 when none is known), {@code
 *       redis_ops_drill_last_ok} (1 or 0), {@code redis_ops_drill_failures_total}
 *   <li>{@code redis_ops_daemon_start_timestamp_seconds} when this daemon started (unix seconds)
 *   <li>after {@link #bindRepositoryFilesystem(Path)}: {@code
 *       redis_ops_repository_filesystem_avail_bytes} and {@code
 *       redis_ops_repository_filesystem_size_bytes} of the file system holding the local repository
 *       (NaN when it cannot be read), for the "repository disk filling" alert
 * </ul>
 */
public final class DaemonMetrics {
  private final StatusRegistry status;
  private final PrometheusMeterRegistry registry;
  private final Set<String> boundTiers = ConcurrentHashMap.newKeySet();
  private final Set<String> boundDatasets = ConcurrentHashMap.newKeySet();
  private final Set<String> boundChecks = ConcurrentHashMap.newKeySet();
  private final Set<String> boundDrills = ConcurrentHashMap.newKeySet();
  private final Set<String> boundArchives = ConcurrentHashMap.newKeySet();

  /**
   * Binds {@code status} to a new Prometheus registry, with every tier and dataset registered so
   * far.
   */
  public DaemonMetrics(StatusRegistry status) {
    this(status, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /** Binds {@code status} to the given registry (which may carry other meters, e.g. JVM ones). */
  public DaemonMetrics(StatusRegistry status, PrometheusMeterRegistry registry) {
    this.status = status;
    this.registry = registry;
    Gauge.builder("redis_ops.up", () -> 1)
        .description("1 while the redis-ops daemon runs")
        .register(registry);
    double started = Instant.now().toEpochMilli() / 1000.0;
    Gauge.builder("redis_ops.daemon.start.timestamp", () -> started)
        .baseUnit("seconds")
        .description("When this redis-ops daemon started (unix seconds)")
        .register(registry);
    refresh();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Binds the free and total bytes of the file system holding {@code repository} (the nearest
   * existing folder of it), read at scrape time; NaN when it cannot be read. Idempotent per
   * registry (the first path wins).
   */
  public DaemonMetrics bindRepositoryFilesystem(Path repository) {
    if (registry.find("redis_ops.repository.filesystem.avail").gauge() == null) {
      Gauge.builder("redis_ops.repository.filesystem.avail", () -> space(repository, true))
          .baseUnit("bytes")
          .description(
              "Bytes available to redis-ops on the file system holding the local repository")
          .register(registry);
      Gauge.builder("redis_ops.repository.filesystem.size", () -> space(repository, false))
          .baseUnit("bytes")
          .description("Size of the file system holding the local repository")
          .register(registry);
    }
    return this;
  }

  private static double space(Path repository, boolean avail) {
    Path p = repository.toAbsolutePath();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    if (p == null) {
      return Double.NaN;
    }
    try {
      FileStore store = Files.getFileStore(p);
      return avail ? store.getUsableSpace() : store.getTotalSpace();
    } catch (IOException | SecurityException e) {
      return Double.NaN;
    }
  }

  /**
   * Binds the meters of every tier and dataset registered in the status registry and not bound yet.
   * Idempotent.
   */
  public void refresh() {
    status.tiers().forEach(this::bind);
    status.datasets().forEach(this::bind);
    status.sentinelChecks().forEach(this::bind);
    status.drills().forEach(this::bind);
    status.archives().forEach(this::bind);
  }

  /**
   * Binds the point-in-time archive meters of one dataset (values read at scrape time): {@code
   * redis_ops_archive_streaming} (1 or 0), {@code redis_ops_archive_last_sealed_timestamp_seconds}
   * (0 before the first seal), {@code redis_ops_archive_lag_seconds} (now minus the last seal: how
   * far behind the present the archive's coverage ends; NaN before the first), {@code
   * redis_ops_archive_lag_bytes} (received from the master but not sealed yet; NaN while not
   * streaming), {@code redis_ops_archive_offsite_lag_seconds} (the newest local seal minus the
   * newest off-site record's sealed_at; NaN without an off-site repository), {@code
   * redis_ops_archive_gaps_total}. Idempotent.
   */
  public void bind(io.redisops.backup.archive.ArchiverStatus archive) {
    String name = archive.dataset();
    if (!boundArchives.add(name)) {
      return;
    }
    Tags tags = Tags.of("dataset", name);
    Gauge.builder(
            "redis_ops.archive.streaming",
            status,
            s ->
                archiveValue(
                    s,
                    name,
                    a ->
                        a.state() == io.redisops.backup.archive.ArchiverStatus.State.STREAMING
                            ? 1
                            : 0))
        .description("1 while the dataset's archiver receives the master's stream, else 0")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder(
            "redis_ops.archive.last.sealed.timestamp",
            status,
            s -> archiveValue(s, name, a -> epochSeconds(a.lastSealedAt())))
        .description(
            "When the archive last proved it holds the whole stream (unix seconds; 0 before the first seal)")
        .baseUnit("seconds")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder(
            "redis_ops.archive.lag.seconds",
            status,
            s ->
                archiveValue(
                    s,
                    name,
                    a ->
                        a.lastSealedAt() == null
                            ? Double.NaN
                            : Math.max(
                                0,
                                (java.time.Clock.systemUTC().millis()
                                        - a.lastSealedAt().toEpochMilli())
                                    / 1000.0)))
        .description("Seconds since the archive's coverage of the dataset last moved on")
        .baseUnit("seconds")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder(
            "redis_ops.archive.lag.bytes",
            status,
            s ->
                archiveValue(
                    s,
                    name,
                    a ->
                        a.state() == io.redisops.backup.archive.ArchiverStatus.State.STREAMING
                            ? Math.max(0, a.receivedOffset() - a.durableOffset())
                            : Double.NaN))
        .description("Bytes of the stream received by the archiver and not sealed yet")
        .baseUnit("bytes")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder(
            "redis_ops.archive.offsite.lag.seconds",
            status,
            s ->
                archiveValue(
                    s,
                    name,
                    a -> a.offsiteLag() == null ? Double.NaN : a.offsiteLag().toMillis() / 1000.0))
        .description(
            "Seconds between the archive's newest local seal and its newest off-site record"
                + " (NaN without an off-site repository)")
        .baseUnit("seconds")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    FunctionCounter.builder(
            "redis_ops.archive.gaps", status, s -> archiveValue(s, name, a -> a.gaps()))
        .description("Gaps the dataset's archiver recorded since the daemon started")
        .tags(tags)
        .register(registry);
  }

  private static double archiveValue(
      StatusRegistry s,
      String name,
      ToDoubleFunction<io.redisops.backup.archive.ArchiverStatus> f) {
    return s.archives().stream()
        .filter(a -> a.dataset().equals(name))
        .findFirst()
        .map(f::applyAsDouble)
        .orElse(Double.NaN);
  }

  /** Binds the restore drill meters of one dataset (values read at scrape time). Idempotent. */
  public void bind(DrillStatus drill) {
    String name = drill.dataset();
    if (!boundDrills.add(name)) {
      return;
    }
    Tags tags = Tags.of("dataset", name);
    Gauge.builder(
            "redis_ops.drill.last.success.timestamp",
            status,
            s -> drillValue(s, name, d -> epochSeconds(d.lastSuccess())))
        .description(
            "When the newest passing restore drill of the dataset ended (unix seconds; 0 when none is known)")
        .baseUnit("seconds")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder(
            "redis_ops.drill.last.ok", status, s -> drillValue(s, name, d -> d.lastOk() ? 1 : 0))
        .description(
            "1 when the newest restore drill of the dataset passed (or none ran yet), else 0")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    FunctionCounter.builder(
            "redis_ops.drill.failures", status, s -> drillValue(s, name, DrillStatus::failures))
        .description("Failed restore drills of the dataset since the daemon started")
        .tags(tags)
        .register(registry);
  }

  private static double epochSeconds(Instant t) {
    return t == null ? 0 : t.toEpochMilli() / 1000.0;
  }

  private static double drillValue(StatusRegistry s, String name, ToDoubleFunction<DrillStatus> f) {
    DrillStatus d = s.drill(name);
    return d == null ? Double.NaN : f.applyAsDouble(d);
  }

  /**
   * Binds one series per deployment check of a Sentinel-monitored dataset ({@code
   * redis_ops_sentinel_check{dataset,check}}: 0 PASS, 1 WARN, 2 FAIL, NaN when the latest run no
   * longer has it) and the time of the latest run. Idempotent.
   */
  public void bind(SentinelChecks checks) {
    String dataset = checks.dataset();
    if (boundChecks.add(dataset)) {
      Gauge.builder(
              "redis_ops.sentinel.check.last.run.timestamp",
              status,
              s -> checksOf(s, dataset, c -> c.checkedAt().toEpochMilli() / 1000.0))
          .description(
              "When the daemon last ran the deployment checks of the dataset (unix seconds)")
          .baseUnit("seconds")
          .tags(Tags.of("dataset", dataset))
          .strongReference(true)
          .register(registry);
    }
    for (io.redisops.sentinel.CheckResult r : checks.results()) {
      String name = r.name();
      if (boundChecks.add(dataset + "\u0000" + name)) {
        Gauge.builder(
                "redis_ops.sentinel.check",
                status,
                s ->
                    checksOf(
                        s,
                        dataset,
                        c -> {
                          io.redisops.sentinel.CheckResult.Level l = c.level(name);
                          return l == null ? Double.NaN : value(l);
                        }))
            .description(
                "Latest result of one deployment check of the dataset (sentinel check): 0 PASS, 1"
                    + " WARN, 2 FAIL")
            .tags(Tags.of("dataset", dataset, "check", name))
            .strongReference(true)
            .register(registry);
      }
    }
  }

  /** The series value of a check level: 0 PASS, 1 WARN, 2 FAIL (documented, so spelled out). */
  static double value(io.redisops.sentinel.CheckResult.Level l) {
    return switch (l) {
      case PASS -> 0;
      case WARN -> 1;
      case FAIL -> 2;
    };
  }

  private static double checksOf(
      StatusRegistry s, String dataset, ToDoubleFunction<SentinelChecks> f) {
    return s.sentinelChecks().stream()
        .filter(c -> c.dataset().equals(dataset))
        .findFirst()
        .map(f::applyAsDouble)
        .orElse(Double.NaN);
  }

  /**
   * Binds the meters of one tier (its values are read from the status registry at scrape time).
   * Idempotent.
   */
  public void bind(TierStatus tier) {
    String dataset = tier.dataset();
    String name = tier.tier();
    if (!boundTiers.add(dataset + "\u0000" + name)) {
      return;
    }
    Tags tags = Tags.of("dataset", dataset, "tier", name);
    tierGauge(
        "redis_ops.backup.last.success.timestamp",
        "seconds",
        tags,
        dataset,
        name,
        "Completion time of the newest successful backup of the tier (unix seconds; 0 when none is known)",
        t -> t.lastSuccess() == null ? 0 : t.lastSuccess().toEpochMilli() / 1000.0);
    tierGauge(
        "redis_ops.backup.last.duration",
        "seconds",
        tags,
        dataset,
        name,
        "How long the newest successful backup of the tier took (NaN when unknown)",
        t -> t.lastDuration() == null ? Double.NaN : t.lastDuration().toNanos() / 1e9);
    tierGauge(
        "redis_ops.backup.last.size",
        "bytes",
        tags,
        dataset,
        name,
        "Stored size of the newest successful backup of the tier (NaN when unknown)",
        t -> t.lastSizeBytes() < 0 ? Double.NaN : t.lastSizeBytes());
    tierGauge(
        "redis_ops.backup.consecutive.failures",
        null,
        tags,
        dataset,
        name,
        "Failed attempts of the tier since its last success",
        TierStatus::consecutiveFailures);
    tierGauge(
        "redis_ops.backup.last.attempt.ok",
        null,
        tags,
        dataset,
        name,
        "1 when the last attempt of the tier succeeded (or none was made yet), else 0",
        t -> t.lastAttemptOk() ? 1 : 0);
    tierGauge(
        "redis_ops.backup.period",
        "seconds",
        tags,
        dataset,
        name,
        "Time between two scheduled runs of the tier",
        t -> t.period().toNanos() / 1e9);
    FunctionCounter.builder(
            "redis_ops.backup.failures",
            status,
            s -> value(s.tier(dataset, name), TierStatus::failures))
        .description("Failed backup attempts of the tier since the daemon started")
        .tags(tags)
        .register(registry);
  }

  /** Binds the repository meters of one dataset (values read at scrape time). Idempotent. */
  public void bind(DatasetStatus dataset) {
    String name = dataset.dataset();
    if (!boundDatasets.add(name)) {
      return;
    }
    Tags tags = Tags.of("dataset", name);
    Gauge.builder(
            "redis_ops.repository.backups",
            status,
            s -> datasetValue(s, name, DatasetStatus::backupCount))
        .description("Complete backups of the dataset in the local repository")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder(
            "redis_ops.repository.size",
            status,
            s -> datasetValue(s, name, DatasetStatus::repositoryBytes))
        .description("Stored bytes of the dataset's backups in the local repository")
        .baseUnit("bytes")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder(
            "redis_ops.repository.checksum.only.backups",
            status,
            s -> datasetValue(s, name, DatasetStatus::checksumOnlyBackups))
        .description(
            "Backups of the dataset in the local repository verified by their CRC-64 only (their RDB format"
                + " or a value type is newer than this redis-ops knows)")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    FunctionCounter.builder("redis_ops.backup.skipped", status, s -> s.skips(name))
        .description(
            "Scheduled runs this daemon skipped since it started: with Sentinel, this host's Redis was not the"
                + " chosen source, or the sentinels' view could not be trusted")
        .tags(tags)
        .register(registry);
    FunctionCounter.builder("redis_ops.backup.busy", status, s -> s.busy(name))
        .description(
            "Runs deferred since the daemon started because another operation held the dataset's lock"
                + " (retried later; not failures)")
        .tags(tags)
        .register(registry);
  }

  /**
   * The Prometheus text exposition (format 0.0.4) of every meter, after binding new tiers and
   * datasets.
   */
  public String scrape() {
    refresh();
    return registry.scrape();
  }

  private void tierGauge(
      String name,
      String unit,
      Tags tags,
      String dataset,
      String tier,
      String description,
      ToDoubleFunction<TierStatus> value) {
    Gauge.Builder<StatusRegistry> b =
        Gauge.builder(name, status, s -> value(s.tier(dataset, tier), value))
            .description(description)
            .tags(tags)
            .strongReference(true);
    if (unit != null) {
      b.baseUnit(unit);
    }
    b.register(registry);
  }

  private static double value(TierStatus t, ToDoubleFunction<TierStatus> f) {
    return t == null ? Double.NaN : f.applyAsDouble(t);
  }

  private static double datasetValue(
      StatusRegistry s, String name, ToDoubleFunction<DatasetStatus> f) {
    return s.datasets().stream()
        .filter(d -> d.dataset().equals(name))
        .findFirst()
        .map(f::applyAsDouble)
        .orElse(Double.NaN);
  }
}
