package io.redisops.backup.snapshot;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The payload of a diskless {@code $EOF:<mark>} snapshot: everything up to the first occurrence of
 * the 40-byte mark, which is stripped. Only the last 39 bytes received are held back (they could be
 * the start of the mark), so memory stays bounded by the buffer and every other byte is handed out
 * as soon as it arrives.
 *
 * <p>The mark is looked for with Horspool's method (each window is judged by its last byte, and a
 * byte that is not in the mark moves the window a whole mark on), not byte by byte: the byte-wise
 * scan was the hottest frame of a replication capture's reading thread, a 1 GB capture's most
 * expensive step after compression (docs/benchmarks.md). It still finds the first occurrence.
 */
final class EofFramedRdbInputStream extends InputStream {
  /**
   * Bytes asked of the socket per read: large, so the payload reaches the analyzer (which reads 1
   * MiB at a time) in few reads and few copies.
   */
  static final int CHUNK = 1024 * 1024;

  private final InputStream in;
  private final byte[] mark;
  private final String server;
  private final byte[] buf;

  /**
   * Horspool's table: how far the window may move when its last byte is {@code b} (the distance
   * from b's last occurrence in the mark, before the mark's last byte, to the mark's end; the
   * mark's length for a byte not in it).
   */
  private final int[] shift = new int[256];

  /** Received bytes not handed out yet are buf[start, end). */
  private int start;

  private int end;

  /** Mark start positions below this have been checked and are not the mark. */
  private int searchFrom;

  /** Index in buf where the mark begins, once found; -1 before. */
  private int payloadEnd = -1;

  private long handedOut;

  EofFramedRdbInputStream(InputStream in, byte[] mark, String server) {
    this.in = in;
    this.mark = mark.clone();
    this.server = server;
    this.buf = new byte[CHUNK + mark.length];
    java.util.Arrays.fill(shift, mark.length);
    for (int i = 0; i < mark.length - 1; i++) {
      shift[mark[i] & 0xff] = mark.length - 1 - i;
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n == -1 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    while (true) {
      int safeEnd = payloadEnd >= 0 ? payloadEnd : end - (mark.length - 1);
      if (start < safeEnd) {
        int n = Math.min(len, safeEnd - start);
        System.arraycopy(buf, start, b, off, n);
        start += n;
        handedOut += n;
        return n;
      }
      if (payloadEnd >= 0) {
        return -1;
      }
      fill();
    }
  }

  /** Reads more bytes after the held-back tail and looks for the mark in what is new. */
  private void fill() throws IOException {
    if (start > 0) {
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      searchFrom = Math.max(0, searchFrom - start);
      start = 0;
    }
    int n = in.read(buf, end, buf.length - end);
    if (n == -1) {
      throw new EOFException(ReplicationRdbStream.prematureEnd(server, handedOut + (end - start)));
    }
    end += n;
    // Every window starting before p has been ruled out; a mismatch moves p by the table, which
    // never passes over a window that could match, so the first match found is the first there is.
    int m = mark.length;
    byte lastOfMark = mark[m - 1];
    int p = searchFrom;
    for (int last = end - m; p <= last; ) {
      byte b = buf[p + m - 1];
      if (b == lastOfMark && matchesMarkAt(p)) {
        payloadEnd = p;
        return;
      }
      p += shift[b & 0xff];
    }
    searchFrom = p;
  }

  /** Whether the mark starts at {@code p}; its last byte was already compared. */
  private boolean matchesMarkAt(int p) {
    for (int i = 0; i < mark.length - 1; i++) {
      if (buf[p + i] != mark[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The bytes received after the end mark (what the master sent next: the command stream), once the
   * payload has been read to its end; they were read ahead from the connection with the payload.
   */
  byte[] afterMark() {
    if (payloadEnd < 0 || start < payloadEnd) {
      throw new IllegalStateException("the payload has not been read to its end");
    }
    int from = payloadEnd + mark.length;
    return java.util.Arrays.copyOfRange(buf, from, end);
  }

  @Override
  public int available() {
    int safeEnd = payloadEnd >= 0 ? payloadEnd : end - (mark.length - 1);
    return Math.max(0, safeEnd - start);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
