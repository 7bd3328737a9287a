package io.redisops.backup.crypto;

import io.redisops.error.RedisOpsException;
import io.redisops.text.Hex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The 256-bit master key of client-side encryption, read from a key file. Its {@link #id()} is a
 * fingerprint that manifests record so that a wrong key is recognised before any decryption; the id
 * reveals nothing of the key (a truncated SHA-256 of a labelled input). {@link #toString()} never
 * shows the key.
 */
public final class EncryptionKey {
  /** The {@code encryption} value of manifests of encrypted objects. */
  public static final String ALGORITHM = "aes-256-gcm-stream";

  private static final byte[] ID_LABEL =
      "redis-ops key id v1\0".getBytes(StandardCharsets.US_ASCII);

  private final byte[] key;
  private final String id;

  private EncryptionKey(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("an AES-256 key has 32 bytes");
    }
    this.key = key.clone();
    MessageDigest sha = Hex.sha256();
    sha.update(ID_LABEL);
    this.id = Hex.of(Arrays.copyOf(sha.digest(key), 8));
  }

  public static EncryptionKey of(byte[] key) {
    return new EncryptionKey(key);
  }

  /**
   * Reads a key file: 64 hexadecimal digits (what {@code openssl rand -hex 32} prints) or 44
   * characters of base64, on the first line, or exactly 32 raw bytes. Anything else is a
   * configuration error naming {@code key}.
   */
  public static EncryptionKey load(Path file, String key) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw RedisOpsException.usage(
          key
              + ": unable to read the key file "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + ")");
    }
    try {
      if (bytes.length == 32) {
        return new EncryptionKey(bytes);
      }
      String text = new String(bytes, StandardCharsets.US_ASCII).strip();
      int nl = text.indexOf('\n');
      text = (nl < 0 ? text : text.substring(0, nl)).strip();
      if (text.length() == 64 && text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
        return new EncryptionKey(HexFormat.of().parseHex(text));
      }
      if (text.length() == 44) {
        return new EncryptionKey(Base64.getDecoder().decode(text));
      }
    } catch (IllegalArgumentException e) {
      // falls through to the one message below
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    throw RedisOpsException.usage(
        key
            + ": "
            + file
            + " does not hold a 256-bit key; create one with "
            + "'openssl rand -hex 32 > "
            + file
            + "' (64 hex digits, or 44 characters of base64, or 32 raw bytes)");
  }

  /** The key's fingerprint: 16 hex digits, safe to print and to store in manifests. */
  public String id() {
    return id;
  }

  SecretKey secretKey() {
    return new SecretKeySpec(key, "AES");
  }

  @Override
  public String toString() {
    return "EncryptionKey[id=" + id + "]";
  }
}
