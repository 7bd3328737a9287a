package io.redisops.backup.crypto;

import io.redisops.backup.catalog.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Client-side encryption as configured for a repository: none, or AES-256-GCM with one key. Writes
 * use the configured key; reads follow each backup's manifest, so a repository can hold backups
 * written before encryption was enabled.
 */
public record ObjectEncryption(Optional<EncryptionKey> key) {
  /** The suffix of encrypted objects ({@code dump.rdb.zst.enc}). */
  public static final String SUFFIX = ".enc";

  public static ObjectEncryption none() {
    return new ObjectEncryption(Optional.empty());
  }

  public boolean enabled() {
    return key.isPresent();
  }

  /**
   * Encrypts into {@code out} when enabled; closing the result seals the object (and closes {@code
   * out}).
   */
  public OutputStream encrypt(OutputStream out) throws IOException {
    return key.isPresent() ? new EncryptingOutputStream(out, key.get()) : out;
  }

  /** The size of what {@link #encrypt} makes of {@code plainSize} bytes. */
  public long storedSize(long plainSize) {
    return key.isPresent() ? EncryptingOutputStream.encryptedSize(plainSize) : plainSize;
  }

  /** The manifest of a backup stored through {@link #encrypt}. */
  public Manifest describe(Manifest plain) {
    return key.map(k -> plain.encryptedAs(plain.object() + SUFFIX, EncryptionKey.ALGORITHM, k.id()))
        .orElse(plain);
  }

  /**
   * The compressed content of a stored backup: decrypted when its manifest says it is encrypted.
   *
   * @throws DecryptionException when it is encrypted and no key, or another key, is configured
   */
  public InputStream open(Manifest m, InputStream stored, String object) throws IOException {
    if (!m.encrypted()) {
      return stored;
    }
    return open(m.encryption(), m.encryptionKeyId(), stored, object);
  }

  /**
   * An object encrypted with {@code encryption} ({@link EncryptionKey#ALGORITHM}) under the key
   * {@code keyId} (null when unknown), decrypted; {@code encryption} null means not encrypted.
   *
   * @throws DecryptionException when no key, or another key, is configured
   */
  public InputStream open(String encryption, String keyId, InputStream stored, String object)
      throws IOException {
    if (encryption == null) {
      return stored;
    }
    if (!EncryptionKey.ALGORITHM.equals(encryption)) {
      throw new DecryptionException(
          object + " is encrypted with '" + encryption + "', which this version cannot read");
    }
    if (key.isEmpty()) {
      throw new DecryptionException(
          object
              + " is encrypted with key "
              + keyId
              + " but no offsite.encryption-key-file is configured");
    }
    if (keyId != null && !keyId.equals(key.get().id())) {
      throw new DecryptionException(
          object
              + " was encrypted with key "
              + keyId
              + " but the key file holds key "
              + key.get().id()
              + "; configure offsite.encryption-key-file with the key it was written with");
    }
    return new DecryptingInputStream(stored, key.get(), object);
  }
}
