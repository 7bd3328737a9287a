package io.redisops.cli;

import io.redisops.error.RedisOpsException;
import java.util.Locale;

/** The {@code --where} values of {@code list}, {@code verify} and {@code prune}. */
enum Where {
  LOCAL, OFFSITE, ALL;

  static Where parse(String text) {
    try {
      return valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw RedisOpsException.usage("--where: unknown value '" + text + "'; use local, offsite or all");
    }
  }

  boolean local() {
    return this != OFFSITE;
  }

  boolean offsite() {
    return this != LOCAL;
  }
}
