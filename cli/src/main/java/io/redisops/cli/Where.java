package io.redisops.cli;

/**
 * The {@code --where} values of {@code list}, {@code verify} and {@code prune} (converted by {@link
 * Converters}).
 */
enum Where {
  LOCAL,
  OFFSITE,
  ALL;

  boolean local() {
    return this != OFFSITE;
  }

  boolean offsite() {
    return this != LOCAL;
  }

  String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
