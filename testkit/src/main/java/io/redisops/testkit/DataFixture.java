package io.redisops.testkit;

import io.lettuce.core.Consumer;
import io.lettuce.core.SetArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.HashMap;
import java.util.Map;

/**
 * Fills a server with real writes of every data type and encoding a backup must carry: strings
 * (int, short, long compressible), small and large hashes, lists, sets (intset and not), sorted
 * sets, streams with consumer groups and pending entries, keys with second and millisecond TTLs, in
 * several databases.
 */
public final class DataFixture {
  private DataFixture() {}

  /**
   * Adds hashes whose fields have their own TTL (HEXPIRE, HPEXPIRE; HSETEX where the server has
   * it): a small one (listpack encoding) and one of 500 fields (hash table), in databases 0 and 3,
   * on servers that have field TTLs (Redis 7.4+, Valkey 9+).
   *
   * @return false, writing nothing, when the server has no field TTLs
   */
  public static boolean fillFieldTtls(RedisCommands<String, String> redis) {
    if (!hasFieldTtls(redis)) {
      return false;
    }
    try {
      redis.select(0);
      redis.hset("fttl:small", Map.of("a", "1", "b", "2", "c", "3"));
      redis.hexpire("fttl:small", 3600, "a", "b");
      Map<String, String> big = new HashMap<>();
      for (int i = 0; i < 500; i++) {
        big.put("f" + i, "v" + i);
      }
      redis.hset("fttl:large", big);
      redis.hpexpire("fttl:large", 7_200_123, "f1", "f2", "f499");
      redis.expire("fttl:large", 86_400);
      redis.select(3);
      redis.hset("db3:fttl", Map.of("x", "1", "y", "2"));
      redis.hexpire("db3:fttl", 600, "y");
      try {
        redis.hsetex(
            "db3:hsetex",
            io.lettuce.core.HSetExArgs.Builder.ex(java.time.Duration.ofMinutes(15)),
            Map.of("p", "1", "q", "2"));
      } catch (io.lettuce.core.RedisCommandExecutionException e) {
        redis.hset(
            "db3:hsetex", Map.of("p", "1", "q", "2")); // Redis 7.4 has HEXPIRE but not HSETEX
        redis.hexpire("db3:hsetex", 900, "p", "q");
      }
    } finally {
      redis.select(0);
    }
    return true;
  }

  /** Whether the server knows per-field TTLs (HPEXPIRETIME). */
  public static boolean hasFieldTtls(RedisCommands<String, String> redis) {
    try {
      redis.hpexpiretime("redis-ops:probe:no-such-key", "f");
      return true;
    } catch (io.lettuce.core.RedisCommandExecutionException e) {
      return false;
    }
  }

  /**
   * Writes the fixture; {@code scale} multiplies the size of the large collections (1 = a few
   * thousand elements).
   */
  public static void fill(RedisCommands<String, String> redis, int scale) {
    try {
      redis.select(0);
      redis.set("str:int", "12345");
      redis.set("str:short", "hello");
      redis.set("str:empty", "");
      redis.set("str:long", "abc".repeat(10_000));
      redis.set("str:binaryish", "caf\u00e9 \u2603 \t\r\n end");
      redis.set("ttl:seconds", "expires in an hour", SetArgs.Builder.ex(3600));
      redis.set("ttl:millis", "expires in two hours and some ms", SetArgs.Builder.px(7_200_123));
      redis.hset("hash:small", Map.of("a", "1", "b", "2"));
      Map<String, String> big = new HashMap<>();
      for (int i = 0; i < 1000 * scale; i++) {
        big.put("field" + i, "value" + i);
      }
      redis.hset("hash:large", big);
      redis.rpush("list:small", "x", "y", "z");
      for (int i = 0; i < 5 * scale; i++) {
        String[] chunk = new String[1000];
        for (int j = 0; j < chunk.length; j++) {
          chunk[j] = "item-" + i + "-" + j;
        }
        redis.rpush("list:large", chunk);
      }
      redis.sadd("set:ints", "1", "2", "3", "400000");
      redis.sadd("set:strings", "red", "green", "blue");
      for (int i = 0; i < 2 * scale; i++) {
        String[] chunk = new String[1000];
        for (int j = 0; j < chunk.length; j++) {
          chunk[j] = "member-" + i + "-" + j;
        }
        redis.sadd("set:large", chunk);
      }
      redis.zadd("zset:small", 1.5, "one", 2.25, "two", -3.0, "minus");
      for (int i = 0; i < 2000 * scale; i++) {
        redis.zadd("zset:large", i * 0.5, "m" + i);
      }
      redis.expire("zset:small", 86_400);
      for (int i = 0; i < 300; i++) {
        redis.xadd(
            "stream:events", Map.of("n", Integer.toString(i), "kind", i % 2 == 0 ? "even" : "odd"));
      }
      redis.xgroupCreate(
          XReadArgs.StreamOffset.from("stream:events", "0-0"),
          "workers",
          XGroupCreateArgs.Builder.mkstream());
      redis.xgroupCreate(XReadArgs.StreamOffset.from("stream:events", "$"), "late");
      readGroup(redis, "alice", 20);
      readGroup(redis, "bob", 5);
      redis.select(2);
      redis.set("db2:key", "in database two");
      redis.hset("db2:hash", "f", "v");
      redis.expire("db2:hash", 5000);
      redis.select(15);
      redis.lpush("db15:list", "last", "database");
    } catch (RuntimeException e) {
      // back to database 0 for the caller; on a connection that was lost meanwhile this fails too,
      // and must not hide the error that lost it
      try {
        redis.select(0);
      } catch (RuntimeException second) {
        e.addSuppressed(second);
      }
      throw e;
    }
    redis.select(0);
  }

  // Lettuce's xreadgroup(Consumer, XReadArgs, StreamOffset<K>...) is not @SafeVarargs; one offset
  // is safe
  @SuppressWarnings("unchecked")
  private static void readGroup(RedisCommands<String, String> redis, String consumer, long count) {
    redis.xreadgroup(
        Consumer.from("workers", consumer),
        XReadArgs.Builder.count(count),
        XReadArgs.StreamOffset.lastConsumed("stream:events"));
  }
}
