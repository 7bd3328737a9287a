package io.redisops.backup.io;

import io.redisops.progress.ProgressListener;
import io.redisops.text.Hex;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Reads a stream once while hashing it, counting it, reporting progress and copying every byte to a
 * sink: the one pass in which a snapshot is verified and stored. Skipping is done by reading, so no
 * byte escapes the tap.
 */
public final class TappedInputStream extends FilterInputStream {
  private final MessageDigest digest;
  private final OutputStream sink;
  private final ProgressListener progress;
  private long count;

  /**
   * @param sink receives every byte read; may be null
   */
  public TappedInputStream(
      InputStream in, MessageDigest digest, OutputStream sink, ProgressListener progress) {
    super(in);
    this.digest = digest;
    this.sink = sink;
    this.progress = progress;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      digest.update((byte) b);
      if (sink != null) {
        sink.write(b);
      }
      count++;
      progress.advance(1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      digest.update(b, off, n);
      if (sink != null) {
        sink.write(b, off, n);
      }
      count += n;
      progress.advance(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(n, 64 * 1024)];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  /** Bytes asked of the source per read while draining: large reads, few calls. */
  static final int DRAIN_BUFFER = 1024 * 1024;

  /** Reads what is left, so the hash and the sink cover the whole stream. */
  public void drain() throws IOException {
    byte[] buf = new byte[DRAIN_BUFFER];
    while (read(buf, 0, buf.length) >= 0) {
      // keep reading
    }
  }

  public long count() {
    return count;
  }

  public String hex() {
    return Hex.of(digest.digest());
  }
}
