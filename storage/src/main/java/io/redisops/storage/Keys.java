package io.redisops.storage;

/**
 * Checks object keys against the {@link Repository} contract, so no key can escape its repository.
 */
public final class Keys {
  private Keys() {}

  public static void check(String key) {
    if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/")) {
      throw new IllegalArgumentException("invalid object key '" + key + "'");
    }
    for (String seg : key.split("/", -1)) {
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
        throw new IllegalArgumentException("invalid object key '" + key + "'");
      }
    }
  }
}
