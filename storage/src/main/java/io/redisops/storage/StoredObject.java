package io.redisops.storage;

import java.time.Instant;

/** One complete object of a {@link Repository}. */
public record StoredObject(String key, long size, Instant lastModified) {

  /** The last segment of the key. */
  public String name() {
    int slash = key.lastIndexOf('/');
    return slash < 0 ? key : key.substring(slash + 1);
  }
}
