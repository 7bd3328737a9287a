package io.redisops.schedules;

import io.redisops.error.RedisOpsException;
import io.redisops.schedules.observe.NotificationEvent;
import io.redisops.schedules.status.SentinelChecks;
import io.redisops.schedules.status.StatusRegistry;
import io.redisops.sentinel.CheckResult;
import io.redisops.sentinel.DeploymentChecker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the deployment checks of {@code sentinel check} ({@link DeploymentChecker}) for one
 * Sentinel-monitored dataset: every {@code sentinel.check-interval} and at once after a change of
 * the topology ({@link #checkSoon}). The results go to the {@link StatusRegistry} (read by /health
 * and /metrics); a check that goes to FAIL, or leaves FAIL, is notified once ({@code
 * sentinel_check_failed}, {@code sentinel_check_recovered}).
 */
final class SentinelMonitor implements AutoCloseable {
  static final String CHECK_FAILED = "sentinel_check_failed";
  static final String CHECK_RECOVERED = "sentinel_check_recovered";

  /** The name of the one FAIL a run that could not read the sentinels at all gives. */
  static final String RUN = "check-run";

  private static final Logger log = LoggerFactory.getLogger(SentinelMonitor.class);

  private final String dataset;
  private final DeploymentChecker checker;
  private final StatusRegistry status;
  private final Clock clock;
  private final Duration interval;
  private final Consumer<NotificationEvent> notify;
  private final String host;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean queued = new AtomicBoolean();

  SentinelMonitor(
      String dataset,
      DeploymentChecker checker,
      StatusRegistry status,
      Clock clock,
      Duration interval,
      Consumer<NotificationEvent> notify,
      String host) {
    this.dataset = dataset;
    this.checker = checker;
    this.status = status;
    this.clock = clock;
    this.interval = interval;
    this.notify = notify;
    this.host = host;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "redis-ops-sentinel-check-" + dataset);
              t.setDaemon(true);
              return t;
            });
  }

  /** Runs the checks now and then every interval. */
  SentinelMonitor start() {
    var unused =
        executor.scheduleWithFixedDelay(
            this::runOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Asks for a run (a topology change); several requests before it runs make one. */
  void checkSoon() {
    if (queued.compareAndSet(false, true)) {
      try {
        executor.execute(
            () -> {
              queued.set(false);
              runOnce();
            });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closed: the daemon stops
      }
    }
  }

  void runOnce() {
    // The time the run starts: whatever it reads was so at that moment or later.
    java.time.Instant startedAt = clock.instant();
    List<CheckResult> results;
    try {
      results = checker.check().results();
    } catch (RuntimeException e) {
      String why = e instanceof RedisOpsException ? e.getMessage() : e.toString();
      results = List.of(CheckResult.fail(RUN, "unable to run the deployment checks: " + why));
    }
    SentinelChecks now = new SentinelChecks(dataset, startedAt, results);
    SentinelChecks before = status.updateSentinelChecks(now);
    for (NotificationEvent e : changes(before, now, host)) {
      log.warn(
          "{}: {} {}: {}", dataset, e.event(), e.fields().get("check"), e.fields().get("reason"));
      try {
        notify.accept(e);
      } catch (RuntimeException ex) {
        log.warn("{}: notifying {} failed: {}", dataset, e.event(), ex.toString());
      }
    }
  }

  /**
   * The notifications between two runs: a check at FAIL now that was not before (or the first run),
   * and a check at FAIL before that is not now (or is gone).
   */
  static List<NotificationEvent> changes(SentinelChecks before, SentinelChecks now, String host) {
    List<NotificationEvent> out = new ArrayList<>();
    for (CheckResult r : now.results()) {
      boolean failedBefore = before != null && before.level(r.name()) == CheckResult.Level.FAIL;
      if (r.level() == CheckResult.Level.FAIL && !failedBefore) {
        out.add(event(CHECK_FAILED, now, r.name(), r.level().name(), r.reason(), host));
      } else if (r.level() != CheckResult.Level.FAIL && failedBefore) {
        out.add(event(CHECK_RECOVERED, now, r.name(), r.level().name(), r.reason(), host));
      }
    }
    if (before != null) {
      for (CheckResult r : before.failing()) {
        if (now.level(r.name()) == null) {
          out.add(
              event(
                  CHECK_RECOVERED, now, r.name(), null, "no longer reported by the checks", host));
        }
      }
    }
    return out;
  }

  private static NotificationEvent event(
      String type, SentinelChecks now, String check, String level, String reason, String host) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("dataset", now.dataset());
    f.put("check", check);
    f.put("level", level);
    f.put("reason", reason);
    return NotificationEvent.of(type, now.checkedAt(), host, f);
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
