package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.redis.ServerIdentity;
import java.util.Optional;

/**
 * Which RDB files a server loads, by engine and version, so that a restore refuses a backup its
 * target cannot load before anything changes.
 *
 * <p>Redis loads files with the {@code REDIS} magic up to its own RDB version (7.0: 10, 7.2: 11,
 * 7.4 to 8.4: 12, 8.6: 13, 8.8: 14, 8.10: 15) and never the {@code VALKEY} magic. Valkey 7.2 and
 * 8.x write and load RDB 11. Valkey 9.0 and 9.1 write {@code VALKEY080}; they load {@code REDIS}
 * files up to 11, and, only with {@code rdb-version-check relaxed}, Redis' newer ("foreign")
 * versions 12 to 79 as long as the file holds no value type or opcode from the foreign range 22 to
 * 243 (valkey {@code src/rdb.c}, {@code rdbIsVersionAccepted} and the foreign-type guard of {@code
 * rdbLoadRioWithLoadingCtx}). Valkey 9.2 adds {@code VALKEY081}. A server newer than these is left
 * to judge for itself: the restore rolls back if it refuses the file.
 */
final class RdbCompatibility {
  private static final int FOREIGN_TYPE_MIN = 22;
  private static final int FOREIGN_TYPE_MAX = 243;

  private RdbCompatibility() {}

  /** The newest {@code REDIS} RDB version a Redis version (e.g. {@code 7.0.15}) loads. */
  static int maxLoadable(String redisVersion) {
    return maxRedis(
        new ServerIdentity(ServerIdentity.REDIS, redisVersion, redisVersion).majorMinor());
  }

  /**
   * Why {@code target} cannot load backup {@code m}, or empty when it can (or when only the server
   * can tell).
   *
   * @param valkeyRelaxed whether a Valkey target runs with {@code rdb-version-check relaxed}
   */
  static Optional<String> refusal(ServerIdentity target, Manifest m, boolean valkeyRelaxed) {
    boolean valkeyFile = "valkey".equals(m.rdbEngineOrDefault());
    int version = m.rdbVersion();
    int v = target.majorMinor();
    if (v < 0) {
      return Optional
          .empty(); // a version we cannot read: let the server judge; the restore rolls back if it
      // refuses
    }
    if (!target.isValkey()) {
      if (valkeyFile) {
        return Optional.of(
            target.describe() + " cannot load Valkey's " + m.rdbFormat() + " format");
      }
      int max = maxRedis(v);
      return version > max
          ? Optional.of(target.describe() + " loads RDB versions up to " + max)
          : Optional.empty();
    }
    if (v < 900) {
      if (valkeyFile || version > 11) {
        return Optional.of(target.describe() + " loads RDB versions up to 11 (REDIS0011)");
      }
      return Optional.empty();
    }
    int maxValkey = v >= 902 ? (v > 902 ? Integer.MAX_VALUE : 81) : 80;
    if (valkeyFile) {
      return version > maxValkey
          ? Optional.of(target.describe() + " loads Valkey formats up to VALKEY0" + maxValkey)
          : Optional.empty();
    }
    if (version <= 11) {
      return Optional.empty();
    }
    if (!valkeyRelaxed) {
      return Optional.of(
          target.describe()
              + " loads Redis' RDB "
              + version
              + " only with 'rdb-version-check relaxed',"
              + " and then only without Redis-only value types");
    }
    if (m.valueTypes() == null) {
      return Optional.of(
          target.describe()
              + " refuses Redis-only value types in RDB "
              + version
              + ", and this backup"
              + " does not record which types it holds");
    }
    Optional<Integer> foreign =
        m.valueTypes().stream()
            .filter(t -> t >= FOREIGN_TYPE_MIN && t <= FOREIGN_TYPE_MAX)
            .findFirst();
    return foreign.map(
        t ->
            target.describe()
                + " refuses the Redis-only value type "
                + t
                + " that backup holds"
                + " (e.g. hash fields with their own TTL)");
  }

  private static int maxRedis(int v) {
    if (v < 0) {
      return Integer
          .MAX_VALUE; // unknown format: let Redis itself judge; the restore rolls back if it
      // refuses
    }
    if (v > 810) {
      return Integer.MAX_VALUE; // newer than this tool knows: the server judges
    }
    if (v >= 810) {
      return 15;
    }
    if (v >= 808) {
      return 14;
    }
    if (v >= 806) {
      return 13;
    }
    if (v >= 704) {
      return 12;
    }
    if (v >= 702) {
      return 11;
    }
    if (v >= 700) {
      return 10;
    }
    if (v >= 500) {
      return 9;
    }
    if (v >= 400) {
      return 8;
    }
    if (v >= 302) {
      return 7;
    }
    return 6;
  }
}
