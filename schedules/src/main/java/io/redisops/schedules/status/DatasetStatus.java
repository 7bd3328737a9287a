package io.redisops.schedules.status;

/**
 * Repository-level figures of one dataset, refreshed after each backup and prune.
 *
 * @param backupCount complete backups in the local repository
 * @param repositoryBytes stored bytes of those backups
 * @param checksumOnlyBackups those of them verified by their CRC-64 only (a format newer than this
 *     redis-ops knows)
 */
public record DatasetStatus(
    String dataset, long backupCount, long repositoryBytes, long checksumOnlyBackups) {

  public DatasetStatus(String dataset, long backupCount, long repositoryBytes) {
    this(dataset, backupCount, repositoryBytes, 0);
  }
}
