package io.redisops.backup.snapshot;

import io.redisops.time.Deadline;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Reads a file while another process still writes it. At the end of what is written so far it waits
 * ({@link #POLL} pauses, never a busy spin) until more bytes arrive or the writer has ended; once
 * the writer has ended and the file is read to its end, {@link Completion#confirm()} decides: it
 * returns normally when the writer finished its work (then this stream ends, -1), and throws when
 * it did not, so that a reader never takes a torn file for a whole one.
 */
final class GrowingFileInputStream extends InputStream {
  /** The pause at the end of what is written so far: short against the writer's pace. */
  static final Duration POLL = Duration.ofMillis(5);

  /** Decides, once the writer has ended and its file is read to the end, whether it is whole. */
  @FunctionalInterface
  interface Completion {
    /**
     * Returns when the file is complete.
     *
     * @throws IOException naming the failure when it is not
     */
    void confirm() throws IOException;
  }

  private final FileChannel file;
  private final BooleanSupplier writerRunning;
  private final Completion completion;
  private final Deadline deadline;
  private final String what;
  private final byte[] one = new byte[1];
  private boolean ended;
  private volatile boolean closed;
  private long position;

  /**
   * @param file open for reading, at the position to start from
   * @param writerRunning whether the writer may still add bytes
   * @param completion asked once, after the writer ended and the last byte was read
   * @param deadline by when the file must be complete
   * @param what names the file in messages
   */
  GrowingFileInputStream(
      FileChannel file,
      BooleanSupplier writerRunning,
      Completion completion,
      Deadline deadline,
      String what) {
    this.file = file;
    this.writerRunning = writerRunning;
    this.completion = completion;
    this.deadline = deadline;
    this.what = what;
  }

  @Override
  public int read() throws IOException {
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    while (true) {
      if (closed) {
        throw new IOException(what + " was closed while being read");
      }
      if (ended) {
        return -1;
      }
      int n = file.read(ByteBuffer.wrap(b, off, len));
      if (n > 0) {
        position += n;
        return n;
      }
      if (!writerRunning.getAsBoolean()) {
        // The writer has ended: what it wrote before is all there; read it, then ask whether it is
        // whole.
        n = file.read(ByteBuffer.wrap(b, off, len));
        if (n > 0) {
          position += n;
          return n;
        }
        completion.confirm();
        ended = true;
        return -1;
      }
      if (deadline.passed()) {
        throw new IOException(
            what
                + " did not grow to a complete snapshot within "
                + deadline.timeout().toSeconds()
                + " s ("
                + position
                + " bytes read)");
      }
      try {
        Deadline.pause(POLL);
      } catch (IllegalStateException e) {
        throw new InterruptedIOException("interrupted while waiting for " + what + " to grow");
      }
    }
  }

  /** Bytes read so far. */
  long position() {
    return position;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    file.close();
  }
}
