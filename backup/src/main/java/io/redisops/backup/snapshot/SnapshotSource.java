package io.redisops.backup.snapshot;

import io.redisops.redis.RedisSession;
import java.io.IOException;

/** Takes a consistent RDB snapshot of a running Redis. */
public interface SnapshotSource {
  /**
   * Takes a new snapshot of the server behind {@code session}. The data it holds was frozen after
   * this call began: a snapshot that started before is never handed out.
   */
  Snapshot capture(RedisSession session) throws IOException;

  /**
   * As {@link #capture(RedisSession)}, telling {@code progress} what the server does while it
   * prepares the snapshot.
   */
  default Snapshot capture(RedisSession session, io.redisops.progress.ProgressListener progress)
      throws IOException {
    return capture(session);
  }
}
