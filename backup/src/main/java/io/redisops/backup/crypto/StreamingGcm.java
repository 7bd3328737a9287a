package io.redisops.backup.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The layout of an encrypted object, shared by {@link EncryptingOutputStream} and {@link
 * DecryptingInputStream}.
 *
 * <p>Why hand-written: the JDK's AES-GCM decryption holds back the whole message until it has
 * checked the tag, so a backup of several GiB cannot be decrypted as a stream with one GCM message,
 * and no pinned library offers a streaming AEAD. This is the usual segmented construction (as in
 * Tink's AES-GCM streaming AEAD, "STREAM" of Hoang, Reyhanitabar, Rogaway and Vizar): a fresh
 * random 256-bit data key per object, wrapped with the master key by AES-GCM; the content cut into
 * segments of {@link #SEGMENT} bytes, each sealed by AES-GCM under the data key with the nonce
 * {@code prefix(7) || segment number(4) || last flag(1)} and the header as associated data.
 * Reordering, truncation, extension and any changed byte make a tag check fail.
 *
 * <pre>
 * header:   "RGE1" | key id (8) | wrap nonce (12) | wrapped data key (32 + 16 tag) | nonce prefix (7)   = 87 bytes
 * segments: AES-GCM(data key, nonce(i, last), plaintext segment i) = up to SEGMENT + 16 bytes each; the last may be empty
 * </pre>
 */
final class StreamingGcm {
  static final byte[] MAGIC = {'R', 'G', 'E', '1'};
  static final int KEY_ID_LEN = 8;
  static final int WRAP_NONCE_LEN = 12;
  static final int WRAPPED_KEY_LEN = 32 + 16;
  static final int PREFIX_LEN = 7;
  static final int HEADER_LEN =
      MAGIC.length + KEY_ID_LEN + WRAP_NONCE_LEN + WRAPPED_KEY_LEN + PREFIX_LEN;
  static final int TAG_LEN = 16;

  /** Plaintext bytes per segment: memory per stream is about twice this. */
  static final int SEGMENT = 64 * 1024;

  private StreamingGcm() {}

  static byte[] nonce(byte[] prefix, int segment, boolean last) {
    return ByteBuffer.allocate(12).put(prefix).putInt(segment).put((byte) (last ? 1 : 0)).array();
  }

  static Cipher cipher(int mode, SecretKey key, byte[] nonce, byte[] aad) {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(mode, key, new GCMParameterSpec(TAG_LEN * 8, nonce));
      c.updateAAD(aad);
      return c;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every Java 17 runtime", e);
    }
  }

  /** The header's associated data for the key wrap: everything before the wrap nonce. */
  static byte[] wrapAad(byte[] header) {
    return java.util.Arrays.copyOf(header, MAGIC.length + KEY_ID_LEN);
  }
}
