package io.redisops.backup.io;

import io.redisops.text.Hex;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Hashes and counts what passes through to the stored object. */
public final class CountingDigestOutputStream extends FilterOutputStream {
  private final MessageDigest digest;
  private long count;

  public CountingDigestOutputStream(OutputStream out, MessageDigest digest) {
    super(out);
    this.digest = digest;
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    digest.update((byte) b);
    count++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    digest.update(b, off, len);
    count += len;
  }

  public long count() {
    return count;
  }

  public String hex() {
    return Hex.of(digest.digest());
  }
}
