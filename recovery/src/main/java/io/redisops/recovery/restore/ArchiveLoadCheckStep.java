package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.error.RedisOpsException;
import io.redisops.recovery.pitr.AofLayout;
import io.redisops.redis.RedisSession;
import java.util.Map;

/**
 * Point-in-time restore: did Redis load all of the laid-out AOF? The key count cannot be compared
 * with the manifest any more (the commands after the base add and remove keys), so what is checked
 * is what Redis reports of the load (docs/redis-facts.md, "Point-in-time restore"): AOF on, the
 * base loaded whole ({@code rdb_last_load_keys_loaded} + {@code rdb_last_load_keys_expired} = the
 * manifest's key count, when it is exact; {@code aof_base_size} = the RDB's size) and the commands
 * loaded whole ({@code aof_current_size} at least base + commands: a torn tail that {@code
 * aof-load-truncated} cut would be smaller; writes of clients since the start only add). The keys
 * then held are reported.
 */
final class ArchiveLoadCheckStep implements RestoreStep {
  private final RestoreRun run;

  ArchiveLoadCheckStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "check-load";
  }

  @Override
  public String describe() {
    Manifest m = run.backup();
    return "check INFO persistence: AOF on, the base loaded whole (aof_base_size "
        + m.rawSize()
        + (m.keyCountsExact()
            ? ", rdb_last_load_keys_loaded + _expired = " + m.totalKeys() + " keys"
            : "")
        + ") and the commands too (aof_current_size >= base + commands); report the keys";
  }

  @Override
  public String run(RestoreRun r) throws java.io.IOException {
    AofLayout placed = AofLayout.in(r.target().aofDirPath(), r.target().appendfilenameOrDefault());
    long incr = java.nio.file.Files.size(placed.incr());
    Manifest m = r.backup();
    try (RedisSession redis = r.control().connect()) {
      Map<String, String> p = redis.info("persistence");
      if (!"1".equals(p.get("aof_enabled"))) {
        throw RedisOpsException.failed(
            "Redis started with AOF off: it did not load the laid-out AOF" + r.control().logTail());
      }
      StringBuilder seen = new StringBuilder();
      Long base = number(p, "aof_base_size");
      Long current = number(p, "aof_current_size");
      if (base != null && base != m.rawSize()) {
        throw RedisOpsException.failed(
            "Redis reports an AOF base of " + base + " bytes, the backup's RDB has " + m.rawSize());
      }
      if (current != null && current < m.rawSize() + incr) {
        throw RedisOpsException.failed(
            "Redis loaded "
                + current
                + " bytes of AOF, the laid-out base and commands have "
                + (m.rawSize() + incr)
                + ": it cut the commands short"
                + r.control().logTail());
      }
      seen.append(
          current == null ? "AOF size not reported" : "AOF of " + current + " bytes loaded");
      Long loaded = number(p, "rdb_last_load_keys_loaded");
      Long expired = number(p, "rdb_last_load_keys_expired");
      if (loaded != null && m.keyCountsExact()) {
        long sum = loaded + (expired == null ? 0 : expired);
        if (sum != m.totalKeys()) {
          throw RedisOpsException.failed(
              "Redis loaded "
                  + sum
                  + " keys from the base (rdb_last_load_keys_loaded + _expired), the backup has "
                  + m.totalKeys());
        }
        seen.append(", base ").append(loaded).append(" keys");
      }
      Map<Integer, Long> keys = KeyCounts.loaded(redis);
      return seen
          + "; now "
          + KeyCounts.total(keys)
          + " keys"
          + (keys.isEmpty() ? "" : " (" + Manifest.describeKeys(keys) + ")");
    }
  }

  private static Long number(Map<String, String> p, String key) {
    try {
      return p.containsKey(key) ? Long.valueOf(p.get(key)) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
