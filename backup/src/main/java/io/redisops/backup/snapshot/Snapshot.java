package io.redisops.backup.snapshot;

import java.io.Closeable;
import java.io.InputStream;
import java.time.Instant;

/**
 * A captured RDB, ready to be read once from {@link #stream()}. Closing it releases the file or
 * connection.
 *
 * @see SnapshotSource
 */
public interface Snapshot extends Closeable {
  /** The RDB bytes, from the magic to the CRC trailer, exactly once. */
  InputStream stream();

  /** Size in bytes when known before reading, else -1. */
  long size();

  /** When the data was frozen (the fork), as close as the method can tell. */
  Instant snapshotTime();

  /** The method that was actually used. */
  SnapshotMethod method();

  /**
   * Returns once the server has finished what this capture started and still ran when the stream
   * ended (a save child it has yet to reap), so that a backup returns with the server quiet: a
   * script's own {@code BGSAVE} right after it is not refused. The bytes were whole when the stream
   * ended; this never fails (a server that does not answer is logged). Called after the stream was
   * read to its end; most snapshots have nothing to wait for.
   */
  default void settle() {}
}
