package io.redisops.backup.crypto;

import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts everything written to it into {@code out} in the layout of {@link StreamingGcm}. {@link
 * #close()} seals the last segment and closes {@code out}; without it the object is incomplete and
 * will not decrypt. Memory: two segments, whatever the size.
 */
public final class EncryptingOutputStream extends OutputStream {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final OutputStream out;
  private final SecretKey dataKey;
  private final byte[] header;
  private final byte[] prefix = new byte[StreamingGcm.PREFIX_LEN];
  private final byte[] buffer = new byte[StreamingGcm.SEGMENT];
  private final byte[] sealed = new byte[StreamingGcm.SEGMENT + StreamingGcm.TAG_LEN];
  private int filled;
  private int segment;
  private boolean closed;

  /**
   * The size of what {@code plainSize} bytes become: the header, the bytes, and one tag per segment
   * (at least one: an empty object still gets its last segment).
   */
  public static long encryptedSize(long plainSize) {
    long segments = Math.max(1, (plainSize + StreamingGcm.SEGMENT - 1) / StreamingGcm.SEGMENT);
    return StreamingGcm.HEADER_LEN + plainSize + segments * StreamingGcm.TAG_LEN;
  }

  public EncryptingOutputStream(OutputStream out, EncryptionKey key) throws IOException {
    this.out = out;
    try {
      KeyGenerator gen = KeyGenerator.getInstance("AES");
      gen.init(256, RANDOM);
      byte[] raw = gen.generateKey().getEncoded();
      this.dataKey = new SecretKeySpec(raw, "AES");
      byte[] wrapNonce = new byte[StreamingGcm.WRAP_NONCE_LEN];
      RANDOM.nextBytes(wrapNonce);
      RANDOM.nextBytes(prefix);
      byte[] keyId = HexFormat.of().parseHex(key.id());
      header = new byte[StreamingGcm.HEADER_LEN];
      int at = 0;
      System.arraycopy(StreamingGcm.MAGIC, 0, header, at, StreamingGcm.MAGIC.length);
      at += StreamingGcm.MAGIC.length;
      System.arraycopy(keyId, 0, header, at, keyId.length);
      at += keyId.length;
      System.arraycopy(wrapNonce, 0, header, at, wrapNonce.length);
      at += wrapNonce.length;
      Cipher wrap =
          StreamingGcm.cipher(
              Cipher.ENCRYPT_MODE, key.secretKey(), wrapNonce, StreamingGcm.wrapAad(header));
      at += wrap.doFinal(raw, 0, raw.length, header, at);
      System.arraycopy(prefix, 0, header, at, prefix.length);
      java.util.Arrays.fill(raw, (byte) 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is part of every Java 17 runtime", e);
    }
    out.write(header);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    while (len > 0) {
      if (filled == buffer.length) {
        // A full segment is sealed as "not last" only once more data arrives: the last one must
        // carry the flag.
        seal(false);
      }
      int n = Math.min(len, buffer.length - filled);
      System.arraycopy(b, off, buffer, filled, n);
      filled += n;
      off += n;
      len -= n;
    }
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    seal(true);
    out.close();
  }

  private void seal(boolean last) throws IOException {
    Cipher c =
        StreamingGcm.cipher(
            Cipher.ENCRYPT_MODE, dataKey, StreamingGcm.nonce(prefix, segment, last), header);
    try {
      int n = c.doFinal(buffer, 0, filled, sealed, 0);
      out.write(sealed, 0, n);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
    segment++;
    filled = 0;
  }
}
