package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.redis.InfoParser;
import io.redisops.redis.RedisSession;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares what Redis holds ({@code INFO keyspace}) with the key counts of the backup's manifest.
 */
public final class KeyCounts {
  private KeyCounts() {}

  /** Keys per database as Redis reports them. */
  public static Map<Integer, Long> loaded(RedisSession redis) {
    Map<Integer, Long> out = new TreeMap<>();
    redis
        .info("keyspace")
        .forEach(
            (k, v) -> {
              if (k.startsWith("db")) {
                out.put(
                    Integer.parseInt(k.substring(2)),
                    InfoParser.keyspaceEntry(v).getOrDefault("keys", 0L));
              }
            });
    return out;
  }

  /**
   * Null when the counts agree, else what differs. A key whose TTL passed since the snapshot is
   * dropped at load, so a database may hold up to its number of keys-with-expire fewer keys than
   * the manifest says, never more.
   */
  public static String mismatch(Manifest m, Map<Integer, Long> loaded) {
    if (!m.keyCountsExact()) {
      return null; // checksum-only backup: nothing exact to compare (KeyCountStep says so)
    }
    TreeSet<Integer> dbs = new TreeSet<>(m.keys().keySet());
    dbs.addAll(loaded.keySet());
    StringBuilder bad = new StringBuilder();
    for (int db : dbs) {
      long want = m.keys().getOrDefault(db, 0L);
      long expiring = m.expires() == null ? 0 : m.expires().getOrDefault(db, 0L);
      long have = loaded.getOrDefault(db, 0L);
      if (have > want || have < want - expiring) {
        bad.append(bad.length() == 0 ? "" : ", ")
            .append("db")
            .append(db)
            .append(" holds ")
            .append(have)
            .append(" keys, the backup ")
            .append(want);
      }
    }
    return bad.length() == 0 ? null : bad.toString();
  }

  public static long total(Map<Integer, Long> loaded) {
    return loaded.values().stream().mapToLong(Long::longValue).sum();
  }
}
