package io.redisops.backup.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decrypts an object written by {@link EncryptingOutputStream}, one authenticated segment at a
 * time: no byte is returned before its segment's tag is checked. A wrong key, a changed byte, a
 * missing or extra segment throws {@link DecryptionException}. Memory: two segments.
 */
public final class DecryptingInputStream extends InputStream {
  private final InputStream in;
  private final String object;
  private final byte[] header;
  private final byte[] prefix;
  private final SecretKey dataKey;
  private final byte[] sealed = new byte[StreamingGcm.SEGMENT + StreamingGcm.TAG_LEN];
  private final byte[] plain = new byte[StreamingGcm.SEGMENT];
  private int plainLen;
  private int plainPos;
  private int segment;
  private boolean lastSeen;
  private int lookahead = -1;

  /**
   * @param object names the object in messages
   */
  public DecryptingInputStream(InputStream in, EncryptionKey key, String object)
      throws IOException {
    this.in = in;
    this.object = object;
    header = new byte[StreamingGcm.HEADER_LEN];
    if (in.readNBytes(header, 0, header.length) != header.length
        || !Arrays.equals(Arrays.copyOf(header, StreamingGcm.MAGIC.length), StreamingGcm.MAGIC)) {
      throw new DecryptionException(
          object
              + " is not an object encrypted by redis-ops (bad header): it is damaged or not ours");
    }
    int at = StreamingGcm.MAGIC.length;
    String keyId = HexFormat.of().formatHex(header, at, at + StreamingGcm.KEY_ID_LEN);
    if (!keyId.equals(key.id())) {
      throw new DecryptionException(
          object
              + " was encrypted with key "
              + keyId
              + " but the key file holds key "
              + key.id()
              + "; configure offsite.encryption-key-file with the key it was written with");
    }
    at += StreamingGcm.KEY_ID_LEN;
    byte[] wrapNonce = Arrays.copyOfRange(header, at, at + StreamingGcm.WRAP_NONCE_LEN);
    at += StreamingGcm.WRAP_NONCE_LEN;
    try {
      Cipher unwrap =
          StreamingGcm.cipher(
              Cipher.DECRYPT_MODE, key.secretKey(), wrapNonce, StreamingGcm.wrapAad(header));
      byte[] raw = unwrap.doFinal(header, at, StreamingGcm.WRAPPED_KEY_LEN);
      dataKey = new SecretKeySpec(raw, "AES");
      Arrays.fill(raw, (byte) 0);
    } catch (GeneralSecurityException e) {
      throw new DecryptionException(
          object
              + ": the key does not open its data key: wrong key, or the header was tampered with");
    }
    at += StreamingGcm.WRAPPED_KEY_LEN;
    prefix = Arrays.copyOfRange(header, at, at + StreamingGcm.PREFIX_LEN);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (plainPos == plainLen) {
      if (lastSeen) {
        return -1;
      }
      nextSegment();
    }
    int n = Math.min(len, plainLen - plainPos);
    System.arraycopy(plain, plainPos, b, off, n);
    plainPos += n;
    return n;
  }

  private void nextSegment() throws IOException {
    int n = 0;
    if (lookahead >= 0) {
      sealed[n++] = (byte) lookahead;
      lookahead = -1;
    }
    n += in.readNBytes(sealed, n, sealed.length - n);
    boolean last;
    if (n < sealed.length) {
      last = true;
    } else {
      lookahead = in.read();
      last = lookahead < 0;
    }
    if (n < StreamingGcm.TAG_LEN) {
      throw new DecryptionException(
          object
              + " is cut short (segment "
              + segment
              + " incomplete): it is damaged or was tampered with");
    }
    try {
      Cipher c =
          StreamingGcm.cipher(
              Cipher.DECRYPT_MODE, dataKey, StreamingGcm.nonce(prefix, segment, last), header);
      plainLen = c.doFinal(sealed, 0, n, plain, 0);
    } catch (GeneralSecurityException e) {
      throw new DecryptionException(
          object
              + " fails authentication in segment "
              + segment
              + ": it is damaged, cut short or was tampered with");
    }
    plainPos = 0;
    segment++;
    lastSeen = last;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
