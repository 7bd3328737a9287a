package io.redisops.backup.snapshot;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The payload of a {@code $<length>} snapshot: exactly {@code length} bytes, then -1. Bytes the
 * master sends after it (the command stream of an old server that ignored {@code rdb-only}) are
 * never read.
 */
final class LengthFramedRdbInputStream extends FilterInputStream {
  private final long length;
  private final String server;
  private long remaining;

  LengthFramedRdbInputStream(InputStream in, long length, String server) {
    super(in);
    this.length = length;
    this.remaining = length;
    this.server = server;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n == -1 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (remaining == 0) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n == -1) {
      throw new EOFException(ReplicationRdbStream.prematureEnd(server, length - remaining));
    }
    remaining -= n;
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    return super.skip(Math.min(n, remaining)); // FilterInputStream.skip would skip past the payload
  }

  @Override
  public int available() throws IOException {
    return (int) Math.min(in.available(), remaining);
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}
