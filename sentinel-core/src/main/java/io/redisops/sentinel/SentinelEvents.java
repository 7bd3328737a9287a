package io.redisops.sentinel;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.redisops.redis.RedisEndpoint;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PSUBSCRIBE *} on every sentinel, turning what they publish into {@link SentinelEvent}s for
 * the listeners. A sentinel that cannot be reached at start is tried again every {@code retry}; one
 * that goes away later is reconnected and resubscribed by Lettuce. Only events about the watched
 * master (or naming none, such as TILT) are passed on. Listeners run on Lettuce's event threads:
 * they must not block.
 */
public final class SentinelEvents implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SentinelEvents.class);

  /** Hears sentinel events. */
  @FunctionalInterface
  public interface Listener {
    void onEvent(SentinelEvent event);
  }

  private final SentinelClient client;
  private final String masterName;
  private final Clock clock;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, StatefulRedisPubSubConnection<String, String>> connections =
      new ConcurrentHashMap<>();
  private final Map<String, RedisEndpoint> wanted = new ConcurrentHashMap<>();
  private final ScheduledExecutorService retry;
  private volatile boolean closed;

  public SentinelEvents(SentinelClient client, String masterName, Clock clock) {
    this.client = client;
    this.masterName = masterName;
    this.clock = clock;
    this.retry =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "redis-ops-sentinel-subscribe");
              t.setDaemon(true);
              return t;
            });
  }

  public void addListener(Listener l) {
    listeners.add(l);
  }

  /**
   * Subscribes to these sentinels (again: already subscribed ones are kept), retrying unreachable
   * ones every {@code every}.
   */
  public void subscribe(List<RedisEndpoint> sentinels, Duration every) {
    sentinels.forEach(s -> wanted.putIfAbsent(s.address(), s));
    connectMissing();
    var unused =
        retry.scheduleWithFixedDelay(
            this::connectMissing, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sentinels we currently hold a subscription to (Lettuce may be reconnecting some of them). */
  public int subscribed() {
    return (int)
        connections.values().stream().filter(StatefulRedisPubSubConnection::isOpen).count();
  }

  private void connectMissing() {
    for (RedisEndpoint s : wanted.values()) {
      if (closed || connections.containsKey(s.address())) {
        continue;
      }
      try {
        StatefulRedisPubSubConnection<String, String> c = client.subscribe(s);
        String from = s.address();
        c.addListener(
            new RedisPubSubAdapter<>() {
              @Override
              public void message(String pattern, String channel, String message) {
                deliver(from, channel, message);
              }
            });
        c.sync().psubscribe("*");
        connections.put(from, c);
        log.debug("subscribed to the events of sentinel {}", from);
      } catch (RuntimeException e) {
        log.debug(
            "sentinel {} not reachable for events yet: {}",
            s.address(),
            TopologyReader.describe(e));
      }
    }
  }

  private void deliver(String sentinel, String channel, String message) {
    if (channel.startsWith("__sentinel__")) {
      return; // the sentinels' own gossip, not an event
    }
    SentinelEvent e = SentinelEvent.parse(clock.instant(), sentinel, channel, message);
    if (e.masterName() != null && !e.masterName().equals(masterName)) {
      return;
    }
    for (Listener l : listeners) {
      try {
        l.onEvent(e);
      } catch (RuntimeException ex) {
        log.warn("a sentinel event listener failed on {}: {}", e.type(), ex.toString());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    retry.shutdownNow();
    for (StatefulRedisPubSubConnection<String, String> c : connections.values()) {
      try {
        c.close();
      } catch (RuntimeException ignored) {
        // closing anyway
      }
    }
    connections.clear();
  }
}
