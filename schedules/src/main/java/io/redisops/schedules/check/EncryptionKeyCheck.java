package io.redisops.schedules.check;

import io.redisops.backup.crypto.EncryptionKey;
import io.redisops.config.OffsiteSettings;
import io.redisops.error.RedisOpsException;
import io.redisops.sentinel.CheckResult;
import java.util.List;
import java.util.Optional;

/**
 * {@code encryption-key}: with {@code offsite.encryption-key-file} set, the file is readable and
 * holds a 256-bit key. Its id is shown (never the key), to compare with the manifests'.
 */
final class EncryptionKeyCheck implements SetupCheck {
  @Override
  public List<CheckResult> run(CheckTarget t) {
    Optional<OffsiteSettings> offsite = t.settings().offsite();
    if (offsite.isEmpty()) {
      return List.of();
    }
    try {
      Optional<EncryptionKey> key = offsite.get().encryptionKey();
      return List.of(
          key.isPresent()
              ? CheckResult.pass(
                  "encryption-key",
                  "offsite.encryption-key-file holds a 256-bit key (id " + key.get().id() + ")")
              : CheckResult.pass(
                  "encryption-key",
                  "no offsite.encryption-key-file: objects are not encrypted client-side"));
    } catch (RedisOpsException e) {
      return List.of(CheckResult.fail("encryption-key", e.getMessage()));
    }
  }
}
