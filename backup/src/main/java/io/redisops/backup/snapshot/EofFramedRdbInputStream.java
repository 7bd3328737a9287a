package io.redisops.backup.snapshot;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The payload of a diskless {@code $EOF:<mark>} snapshot: everything up to the first occurrence of
 * the 40-byte mark, which is stripped. Only the last 39 bytes received are held back (they could be
 * the start of the mark), so memory stays bounded by the buffer and every other byte is handed out
 * as soon as it arrives.
 */
final class EofFramedRdbInputStream extends InputStream {
  private static final int CHUNK = 64 * 1024;

  private final InputStream in;
  private final byte[] mark;
  private final String server;
  private final byte[] buf;

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
    for (int p = searchFrom; p + mark.length <= end; p++) {
      if (matchesMarkAt(p)) {
        payloadEnd = p;
        return;
      }
    }
    searchFrom = Math.max(searchFrom, end - mark.length + 1);
  }

  private boolean matchesMarkAt(int p) {
    for (int i = 0; i < mark.length; i++) {
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
