package io.redisops.recovery.restore;

/** Which RDB versions a Redis version can load (each Redis loads its own RDB version and every older one). */
final class RdbCompatibility {
  private RdbCompatibility() {}

  /** The newest RDB version {@code redisVersion} (e.g. {@code 7.0.15}) loads, from the Redis release notes. */
  static int maxLoadable(String redisVersion) {
    int major;
    int minor;
    try {
      String[] p = redisVersion.split("\\.");
      major = Integer.parseInt(p[0]);
      minor = p.length > 1 ? Integer.parseInt(p[1]) : 0;
    } catch (RuntimeException e) {
      return Integer.MAX_VALUE; // unknown format: let Redis itself judge; the restore rolls back if it refuses
    }
    int v = major * 100 + minor;
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
