package io.redisops.schedules;

import io.redisops.schedules.observe.NotificationEvent;
import io.redisops.sentinel.SentinelEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes the failover events of one dataset to the {@link FailoverListener}s, each once: the same
 * event type about the same instance from several sentinels within {@link #WINDOW} is one event
 * (every sentinel publishes {@code +switch-master}; {@code -failover-abort-not-elected} repeats at
 * each retry).
 */
final class FailoverEvents {
  static final Duration WINDOW = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(FailoverEvents.class);

  private final String dataset;
  private final Clock clock;
  private final List<FailoverListener> listeners;
  private final Map<String, Instant> seen = new ConcurrentHashMap<>();

  FailoverEvents(String dataset, Clock clock, List<FailoverListener> listeners) {
    this.dataset = dataset;
    this.clock = clock;
    this.listeners = listeners;
  }

  void onEvent(SentinelEvent e) {
    if (!e.isFailoverNotice()) {
      return;
    }
    Instant now = clock.instant();
    String key = e.type() + " " + e.instance();
    Instant before = seen.get(key);
    if (before != null && Duration.between(before, now).compareTo(WINDOW) < 0) {
      return;
    }
    seen.put(key, now);
    seen.entrySet()
        .removeIf(
            x ->
                Duration.between(x.getValue(), now).compareTo(WINDOW) >= 0
                    && !x.getKey().equals(key));
    log.warn(
        "{}: sentinel {} {}: {} (from {})",
        dataset,
        e.type(),
        e.instance(),
        e.meaning(),
        e.sentinel());
    for (FailoverListener l : listeners) {
      try {
        l.failover(dataset, e);
      } catch (RuntimeException ex) {
        log.warn("{}: a failover listener failed on {}: {}", dataset, e.type(), ex.toString());
      }
    }
  }

  /**
   * The notification of a failover event: {@code event} is {@code sentinel} plus the Sentinel event
   * with its sign spelled out ({@code +switch-master} becomes {@code sentinel_switch_master},
   * {@code -failover-abort-not-elected} {@code sentinel_failover_abort_not_elected}), with the
   * dataset, the instance, the meaning, the reporting sentinel and the raw Sentinel message.
   */
  static NotificationEvent notification(String dataset, SentinelEvent e, String host) {
    Map<String, Object> f = new java.util.LinkedHashMap<>();
    f.put("dataset", dataset);
    f.put("sentinel_event", e.type());
    f.put("instance", e.instance());
    f.put("meaning", e.meaning());
    f.put("sentinel", e.sentinel());
    f.put("message", e.payload());
    String name = "sentinel_" + e.type().replaceFirst("^[+-]", "").replace('-', '_');
    return NotificationEvent.of(name, e.time(), host, f);
  }

  static List<FailoverListener> newList() {
    return new CopyOnWriteArrayList<>();
  }
}
