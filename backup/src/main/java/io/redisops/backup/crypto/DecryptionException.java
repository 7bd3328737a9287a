package io.redisops.backup.crypto;

import java.io.IOException;

/**
 * An encrypted object that does not decrypt: the wrong key, or content that was changed, cut short
 * or extended after it was written. Always an integrity problem (exit 3), never retried.
 */
public final class DecryptionException extends IOException {
  private static final long serialVersionUID = 1L;

  public DecryptionException(String message) {
    super(message);
  }
}
