package io.redisops.schedules;

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
 * Passes the failover events of one dataset to the {@link FailoverListener}s, each once: the same event type about the
 * same instance from several sentinels within {@link #WINDOW} is one event (every sentinel publishes
 * {@code +switch-master}; {@code -failover-abort-not-elected} repeats at each retry).
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
    seen.entrySet().removeIf(x -> Duration.between(x.getValue(), now).compareTo(WINDOW) >= 0 && !x.getKey().equals(key));
    log.warn("{}: sentinel {} {}: {} (from {})", dataset, e.type(), e.instance(), e.meaning(), e.sentinel());
    for (FailoverListener l : listeners) {
      try {
        l.failover(dataset, e);
      } catch (RuntimeException ex) {
        log.warn("{}: a failover listener failed on {}: {}", dataset, e.type(), ex.toString());
      }
    }
  }

  static List<FailoverListener> newList() {
    return new CopyOnWriteArrayList<>();
  }
}
