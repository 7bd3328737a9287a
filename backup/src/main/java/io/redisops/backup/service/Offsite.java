package io.redisops.backup.service;

import io.redisops.backup.crypto.ObjectEncryption;

/**
 * The off-site side of a host: the remote repository (with its own retention, and its own lock
 * folder so that local backups go on while a long push runs) and how its objects are encrypted.
 * Close it to release the S3 client.
 */
public record Offsite(BackupContext remote, ObjectEncryption encryption) implements AutoCloseable {

  /**
   * The point-in-time archive in the off-site repository: what the archiver's pusher writes to, and
   * the {@link io.redisops.backup.archive.ArchiveReader} of a restore from off-site (segments
   * decrypted with the configured key).
   */
  public io.redisops.backup.archive.ArchiveStore archive() {
    return new io.redisops.backup.archive.ArchiveStore(
        remote.repository(), remote.compression(), encryption);
  }

  @Override
  public void close() {
    try {
      remote.repository().close();
    } catch (java.io.IOException ignored) {
      // nothing left to do with a client that fails to close
    }
  }
}
