package io.redisops.storage;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The stream a driver hands to a {@link Repository.BodyWriter}: the body may close it (e.g. closing
 * its compressor chain), which only flushes the driver's stream and never closes it, for the driver
 * alone ends the write (fsync, completing or aborting an upload). Bulk writes are forwarded as they
 * come, not byte by byte.
 */
public class NonClosingOutputStream extends FilterOutputStream {
  public NonClosingOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
  }

  /** Flushes the wrapped stream, and does not close it. */
  @Override
  public void close() throws IOException {
    out.flush();
  }
}
