package io.redisops.backup.service;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.retention.RetentionPolicy;
import io.redisops.storage.Repository;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * What the backup services share: where backups go, how they are stored, how long they are kept,
 * where locks live, and the clock that decides every age.
 *
 * @param lockDir folder of the per-dataset lock files (for a local repository, the repository
 *     itself)
 * @param compressionLevel the level new backups are compressed at ({@code
 *     repository.compression-level}; {@link Compression#defaultLevel()} unless configured)
 */
public record BackupContext(
    Repository repository,
    Compression compression,
    RetentionPolicy retention,
    Path lockDir,
    Clock clock,
    Duration redisTimeout,
    String toolVersion,
    int compressionLevel) {

  /** A context that compresses at the compression's default level. */
  public BackupContext(
      Repository repository,
      Compression compression,
      RetentionPolicy retention,
      Path lockDir,
      Clock clock,
      Duration redisTimeout,
      String toolVersion) {
    this(
        repository,
        compression,
        retention,
        lockDir,
        clock,
        redisTimeout,
        toolVersion,
        compression.defaultLevel());
  }

  public BackupCatalog catalog(String dataset) {
    return new BackupCatalog(repository, dataset);
  }

  /** Takes the dataset's lock (exit 5 when another operation holds it). */
  public DatasetLock lock(String dataset) {
    return DatasetLock.acquire(
        lockDir.resolve(BackupCatalog.checkDataset(dataset)).resolve(".lock"), dataset);
  }
}
