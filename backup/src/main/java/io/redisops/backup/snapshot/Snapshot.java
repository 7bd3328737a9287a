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
}
