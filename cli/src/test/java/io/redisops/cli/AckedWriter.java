package io.redisops.cli;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.redisops.testkit.RedisGroup;
import io.redisops.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client that writes {@code SET <prefix><n> <n>} to the group's master without pause, as an
 * application would: it finds the master through the sentinels, keeps writing there while the
 * server accepts, and asks the sentinels again after any error (READONLY, timeout, closed
 * connection). It counts the writes the server acknowledged and the longest time between two
 * acknowledgements.
 */
final class AckedWriter implements AutoCloseable {
  private final RedisGroup group;
  private final String prefix;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<String> acked = new ArrayList<>();
  private final Thread thread;
  private long longestGapNanos;
  private int errors;
  private final RedisClient client = RedisClient.create();
  private StatefulRedisConnection<String, String> connection;

  AckedWriter(RedisGroup group, String prefix) {
    this.group = group;
    this.prefix = prefix;
    client.setOptions(ClientOptions.builder().autoReconnect(false).build());
    this.thread = new Thread(this::loop, "acked-writer-" + prefix);
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    long n = 0;
    long lastAck = -1;
    while (running.get()) {
      try {
        if (connection == null) {
          RedisServer master = group.currentMaster();
          connection =
              client.connect(
                  RedisURI.Builder.redis(master.host(), master.port())
                      .withTimeout(Duration.ofSeconds(5))
                      .build());
        }
        String key = prefix + n++;
        connection.sync().set(key, key);
        long now = System.nanoTime();
        synchronized (this) {
          acked.add(key);
          if (lastAck >= 0) {
            longestGapNanos = Math.max(longestGapNanos, now - lastAck);
          }
        }
        lastAck = now;
      } catch (RuntimeException e) {
        synchronized (this) {
          errors++;
        }
        disconnect();
      }
      // paced like a busy application rather than a benchmark: the sentinels share the 2 cores
      pace();
    }
    disconnect();
  }

  private static void pace() {
    try {
      Thread.sleep(2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void disconnect() {
    if (connection != null) {
      connection.close();
      connection = null;
    }
  }

  synchronized int ackedCount() {
    return acked.size();
  }

  synchronized int errors() {
    return errors;
  }

  synchronized Duration longestGap() {
    return Duration.ofNanos(longestGapNanos);
  }

  /** Stops writing; returns every acknowledged key. */
  List<String> stop() {
    if (running.getAndSet(false)) {
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    synchronized (this) {
      return List.copyOf(acked);
    }
  }

  /** The acknowledged keys that {@code server} does not hold. */
  static List<String> missingOn(RedisServer server, String prefix, List<String> acked) {
    Set<String> present = new HashSet<>(server.sync().keys(prefix + "*"));
    return acked.stream().filter(k -> !present.contains(k)).toList();
  }

  @Override
  public void close() {
    stop();
  }
}
