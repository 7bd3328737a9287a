package io.redisops.backup.io;

import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.io.input.ReadAheadInputStream;

/**
 * Reads a stream on a second thread, one buffer ahead of its consumer: how a stored backup's
 * decompression (and the SHA-256 of its stored bytes, when the tap sits below it) runs beside the
 * thread that parses, checksums and writes the RDB. A restore's fetch and {@code verify} were one
 * thread doing all of it in turn while the second core waited.
 */
public final class ReadAhead {
  /** Each of the two buffers: large enough that the threads hand over rarely. */
  static final int BUFFER = 1024 * 1024;

  private ReadAhead() {}

  /** {@code in}, read ahead on a daemon thread; closing the result closes {@code in}. */
  public static InputStream of(InputStream in) throws IOException {
    return ReadAheadInputStream.builder().setInputStream(in).setBufferSize(BUFFER).get();
  }
}
