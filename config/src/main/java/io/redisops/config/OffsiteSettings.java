package io.redisops.config;

import io.redisops.backup.crypto.EncryptionKey;
import io.redisops.backup.crypto.ObjectEncryption;
import io.redisops.backup.retention.RetentionPolicy;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.Offsite;
import io.redisops.storage.s3.S3Repository;
import io.redisops.storage.s3.S3Settings;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code offsite} section: where the S3 copies go, how they are encrypted, how long they are
 * kept. Its shape is validated when the configuration is read; credentials and the key file are
 * read only by {@link #connect}, so a local backup never fails because of an off-site secret
 * missing from its environment. {@link #connect} builds what {@code push}, {@code fetch}, the
 * {@code --where offsite} commands and the daemon's off-site job use.
 */
public final class OffsiteSettings {
  private final Config.Offsite config;
  private final String uriOverride;
  private final RetentionPolicy retention;
  private final Map<String, String> env;

  OffsiteSettings(
      Config.Offsite config,
      String uriOverride,
      RetentionPolicy retention,
      Map<String, String> env) {
    this.config = config;
    this.uriOverride = uriOverride;
    this.retention = retention;
    this.env = env;
  }

  /**
   * {@code offsite.push-after-backup}: the daemon also pushes right after each successful backup
   * (default false).
   */
  public boolean pushAfterBackup() {
    return Boolean.TRUE.equals(config.pushAfterBackup());
  }

  /** Off-site retention: {@code retention.offsite-*}, defaulting to the local tiers. */
  public RetentionPolicy retention() {
    return retention;
  }

  /**
   * Where and how to reach the store, credentials included (a usage error when they cannot be
   * read).
   */
  public S3Settings s3() {
    return OffsiteConfig.s3(config, uriOverride, env, true);
  }

  /** The client-side encryption key, when configured (a usage error when the file is not a key). */
  public Optional<EncryptionKey> encryptionKey() {
    return Optional.ofNullable(config.encryptionKeyFile())
        .map(f -> EncryptionKey.load(java.nio.file.Path.of(f), "offsite.encryption-key-file"));
  }

  /**
   * Opens the off-site repository next to a local one. Its lock files live in {@code
   * <lockDir>/.offsite}, apart from the local ones, so a long push never blocks a scheduled backup.
   * Close the result when done.
   */
  public Offsite connect(BackupContext local) {
    ObjectEncryption encryption = new ObjectEncryption(encryptionKey());
    S3Repository repo = new S3Repository(s3());
    return new Offsite(
        new BackupContext(
            repo,
            local.compression(),
            retention,
            local.lockDir().resolve(".offsite"),
            local.clock(),
            local.redisTimeout(),
            local.toolVersion()),
        encryption);
  }

  @Override
  public String toString() {
    return "OffsiteSettings[" + OffsiteConfig.s3(config, uriOverride, env, false).describe() + "]";
  }
}
