package io.redisops.redis;

import java.util.Locale;
import java.util.Map;

/**
 * Which server answers, and which version of it: decided from {@code INFO server}, never from
 * {@code redis_version} alone, because Valkey reports a frozen compatibility version there (Valkey
 * 9.1.2 says {@code redis_version:7.2.4}, {@code server_name:valkey}, {@code
 * valkey_version:9.1.2}); Redis has no {@code server_name} field.
 *
 * @param engine {@code redis} or {@code valkey}
 * @param version the engine's own version ({@code valkey_version} for Valkey, {@code redis_version}
 *     for Redis)
 * @param redisVersion what the server reports as {@code redis_version}
 */
public record ServerIdentity(String engine, String version, String redisVersion) {
  public static final String REDIS = "redis";
  public static final String VALKEY = "valkey";

  /** From the fields of {@code INFO server}. */
  public static ServerIdentity of(Map<String, String> infoServer) {
    String redisVersion = infoServer.getOrDefault("redis_version", "?");
    String name = infoServer.getOrDefault("server_name", "").toLowerCase(Locale.ROOT);
    String valkeyVersion = infoServer.get("valkey_version");
    if (name.equals(VALKEY) || valkeyVersion != null) {
      return new ServerIdentity(
          VALKEY, valkeyVersion != null ? valkeyVersion : redisVersion, redisVersion);
    }
    return new ServerIdentity(REDIS, redisVersion, redisVersion);
  }

  public boolean isValkey() {
    return engine.equals(VALKEY);
  }

  /**
   * {@code major * 100 + minor} of {@link #version()}, e.g. 801 for 8.1.1; -1 when it does not
   * parse.
   */
  public int majorMinor() {
    try {
      String[] p = version.split("\\.");
      int major = Integer.parseInt(p[0]);
      int minor = p.length > 1 ? Integer.parseInt(p[1].replaceAll("[^0-9].*$", "")) : 0;
      return major * 100 + minor;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** As shown to people: {@code Valkey 9.1.2}, {@code Redis 8.0.6}. */
  public String describe() {
    return (isValkey() ? "Valkey " : "Redis ") + version;
  }
}
