package io.redisops.testkit;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.PendingMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every key of every database of a server, with its type, its full logical value and its absolute
 * expire time ({@code PEXPIRETIME}): two dumps are equal exactly when two servers hold the same
 * data. Used to prove that a backup or a restore holds exactly the data. Streams include their
 * entries, consumer groups and pending entries.
 */
public final class KeyspaceDump {
  private KeyspaceDump() {}

  /**
   * One key: its type, value (a comparable structure) and absolute expire time in ms (-1: none).
   */
  public record KeyState(String type, Object value, long pexpireTime) {}

  /**
   * db number to key to state, for every database that holds keys. Leaves the connection on db 0.
   */
  public static Map<Integer, Map<String, KeyState>> of(RedisCommands<String, String> redis) {
    int databases = Integer.parseInt(redis.configGet("databases").get("databases"));
    boolean fieldTtls = DataFixture.hasFieldTtls(redis);
    Map<Integer, Map<String, KeyState>> out = new TreeMap<>();
    try {
      for (int db = 0; db < databases; db++) {
        redis.select(db);
        Map<String, KeyState> keys = new TreeMap<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
          KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.limit(1000));
          for (String key : page.getKeys()) {
            keys.put(key, state(redis, key, fieldTtls));
          }
          cursor = page;
        } while (!cursor.isFinished());
        if (!keys.isEmpty()) {
          out.put(db, keys);
        }
      }
    } finally {
      redis.select(0);
    }
    return out;
  }

  /** Total number of keys in a dump. */
  public static long count(Map<Integer, Map<String, KeyState>> dump) {
    return dump.values().stream().mapToLong(Map::size).sum();
  }

  private static KeyState state(
      RedisCommands<String, String> redis, String key, boolean fieldTtls) {
    String type = redis.type(key);
    Object value =
        switch (type) {
          case "string" -> redis.get(key);
          case "hash" -> hash(redis, key, fieldTtls);
          case "list" -> redis.lrange(key, 0, -1);
          case "set" -> new TreeSet<>(redis.smembers(key));
          case "zset" ->
              redis.zrangeWithScores(key, 0, -1).stream().map(KeyspaceDump::scored).toList();
          case "stream" -> stream(redis, key);
          default ->
              throw new IllegalStateException(
                  "key " + key + " has type " + type + ", which KeyspaceDump does not read");
        };
    return new KeyState(type, value, redis.pexpiretime(key));
  }

  /**
   * The fields and values; with the absolute expire time of every field that has one, on servers
   * with field TTLs.
   */
  private static Object hash(RedisCommands<String, String> redis, String key, boolean fieldTtls) {
    Map<String, String> fields = new TreeMap<>(redis.hgetall(key));
    if (!fieldTtls || fields.isEmpty()) {
      return fields;
    }
    String[] names = fields.keySet().toArray(String[]::new);
    List<Long> times = redis.hpexpiretime(key, names);
    Map<String, Long> expiring = new TreeMap<>();
    for (int i = 0; i < names.length; i++) {
      if (times.get(i) != null && times.get(i) >= 0) {
        expiring.put(names[i], times.get(i));
      }
    }
    return expiring.isEmpty() ? fields : Map.of("fields", fields, "field_pexpiretimes", expiring);
  }

  private static String scored(ScoredValue<String> v) {
    return v.getValue() + "=" + v.getScore();
  }

  private static Object stream(RedisCommands<String, String> redis, String key) {
    List<Object> out = new ArrayList<>();
    for (StreamMessage<String, String> m : redis.xrange(key, Range.create("-", "+"))) {
      out.add(m.getId() + " " + new TreeMap<>(m.getBody()));
    }
    for (Object group : redis.xinfoGroups(key)) {
      @SuppressWarnings("unchecked")
      List<Object> fields = (List<Object>) group;
      Map<String, String> g = new TreeMap<>();
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        g.put(String.valueOf(fields.get(i)), String.valueOf(fields.get(i + 1)));
      }
      out.add("group " + g);
      for (PendingMessage p :
          redis.xpending(key, g.get("name"), Range.create("-", "+"), Limit.from(10_000))) {
        // idle time changes as time passes; id, owner and delivery count are the data
        out.add("pending " + p.getId() + " " + p.getConsumer() + " " + p.getRedeliveryCount());
      }
    }
    return out;
  }
}
