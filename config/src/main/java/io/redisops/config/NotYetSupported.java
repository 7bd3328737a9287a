package io.redisops.config;

import io.redisops.error.RedisOpsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Keys of the design whose feature this version does not have yet. Setting one is refused (exit 2)
 * rather than silently ignored: an operator who configures off-site copies must not believe they
 * happen. Each feature removes its line here when it lands.
 */
final class NotYetSupported {
  private NotYetSupported() {}

  // every top-level key of the design is supported now
  private static final Map<String, Function<Config, Object>> TOP = Map.of();

  /**
   * Every dataset key is implemented now (sentinel, redis.config-file, start-command,
   * stop-command).
   */
  private static final Map<String, Function<Config.Dataset, Object>> DATASET = Map.of();

  static void check(Config c, String file) {
    List<String> found = new ArrayList<>();
    TOP.forEach(
        (key, get) -> {
          if (get.apply(c) != null) {
            found.add(key);
          }
        });
    if (c.datasets() != null) {
      for (int i = 0; i < c.datasets().size(); i++) {
        Config.Dataset d = c.datasets().get(i);
        int index = i;
        DATASET.forEach(
            (key, get) -> {
              if (d != null && get.apply(d) != null) {
                found.add("datasets[" + index + "]." + key);
              }
            });
      }
    }
    if (!found.isEmpty()) {
      found.sort(null);
      throw RedisOpsException.usage(
          file + ": key '" + found.get(0) + "' is not supported by this version of redis-ops yet");
    }
  }
}
