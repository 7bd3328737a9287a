package io.redisops.backup.snapshot;

import io.redisops.error.RedisOpsException;
import java.util.Locale;

/** How a snapshot is taken. */
public enum SnapshotMethod {
  /**
   * {@code bgsave} when the server's data directory is readable from here, else {@code
   * replication}.
   */
  AUTO,
  /** {@code BGSAVE}, wait, read the finished {@code dir/dbfilename}. */
  BGSAVE,
  /** Stream the RDB over the replication protocol, as {@code redis-cli --rdb} does. */
  REPLICATION;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static SnapshotMethod parse(String text) {
    for (SnapshotMethod m : values()) {
      if (m.id().equals(text)) {
        return m;
      }
    }
    throw RedisOpsException.usage(
        "unknown capture method '" + text + "'; use bgsave, replication or auto");
  }
}
