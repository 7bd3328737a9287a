package io.redisops.backup.snapshot;

import io.redisops.redis.RedisSession;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Streams the RDB over the replication protocol ({@link ReplicationRdbStream}), as {@code redis-cli
 * --rdb} does: works against a remote Redis with no file access. Note the server's {@code
 * repl-diskless-sync-delay} (5 s by default) comes before the first byte.
 */
public final class ReplicationSnapshotSource implements SnapshotSource {
  private final Clock clock;
  private final Duration connectTimeout;
  private final Duration readTimeout;

  public ReplicationSnapshotSource(Clock clock, Duration connectTimeout, Duration readTimeout) {
    this.clock = clock;
    this.connectTimeout = connectTimeout;
    this.readTimeout = readTimeout;
  }

  @Override
  public Snapshot capture(RedisSession session) throws IOException {
    Instant requested = clock.instant();
    ReplicationRdbStream stream =
        ReplicationRdbStream.open(session.endpoint(), connectTimeout, readTimeout, clock);
    // Diskless: the fork happens when the transfer starts, just before the header. On disk: the
    // master forked on our
    // SYNC and sends the finished file afterwards, so the data is as of the request.
    Instant frozenAt = stream.diskless() ? stream.headerReceivedAt() : requested;
    return new StreamSnapshot(stream, frozenAt);
  }

  private record StreamSnapshot(ReplicationRdbStream source, Instant snapshotTime)
      implements Snapshot {
    @Override
    public InputStream stream() {
      return source.rdb();
    }

    @Override
    public long size() {
      return source.declaredLength();
    }

    @Override
    public SnapshotMethod method() {
      return SnapshotMethod.REPLICATION;
    }

    @Override
    public void close() {
      source.close();
    }
  }
}
