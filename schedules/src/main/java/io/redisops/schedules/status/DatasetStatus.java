package io.redisops.schedules.status;

/**
 * Repository-level figures of one dataset, refreshed after each backup and prune.
 *
 * @param backupCount complete backups in the local repository
 * @param repositoryBytes stored bytes of those backups
 */
public record DatasetStatus(String dataset, long backupCount, long repositoryBytes) {}
