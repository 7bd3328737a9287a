package io.redisops.recovery.select;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.error.RedisOpsException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses the backup a restore uses among complete backups (those with a manifest): the latest, one
 * by id, or the newest whose snapshot time is at or before an instant. "Nothing matched" is exit 4
 * with a message naming what exists, so the operator can pick another time.
 */
public final class BackupSelector {
  private final List<Manifest> backups;
  private final String dataset;
  private final ZoneId zone;

  /**
   * @param backups complete backups of the dataset, in any order
   * @param dataset for messages
   * @param zone the zone times are shown in
   */
  public BackupSelector(List<Manifest> backups, String dataset, ZoneId zone) {
    this.backups = backups.stream().sorted(BackupCatalog.NEWEST_FIRST).toList();
    this.dataset = dataset;
    this.zone = zone;
  }

  /** The newest backup. */
  public Manifest latest() {
    if (backups.isEmpty()) {
      throw nothing();
    }
    return backups.get(0);
  }

  /** The backup with this id. */
  public Manifest byId(String id) {
    return backups.stream()
        .filter(m -> m.id().equals(id))
        .findFirst()
        .orElseThrow(
            () ->
                RedisOpsException.notFound(
                    "no backup '" + id + "' of dataset " + dataset + "; see 'redis-ops list'"));
  }

  /** The newest backup whose snapshot time is at or before {@code at} (ties: the greater id). */
  public Manifest atOrBefore(Instant at) {
    if (backups.isEmpty()) {
      throw nothing();
    }
    return backups.stream()
        .filter(m -> !m.snapshotTime().isAfter(at))
        .findFirst()
        .orElseThrow(
            () -> {
              Manifest oldest =
                  backups.stream().min(Comparator.comparing(Manifest::snapshotTime)).orElseThrow();
              return RedisOpsException.notFound(
                  "no backup of dataset "
                      + dataset
                      + " at or before "
                      + show(at)
                      + "; the oldest available is "
                      + oldest.id()
                      + " taken at "
                      + show(oldest.snapshotTime()));
            });
  }

  private RedisOpsException nothing() {
    return RedisOpsException.notFound(
        "no backups of dataset " + dataset + " to restore from; see 'redis-ops list'");
  }

  /**
   * To the second: a time given to the minute stands for its whole minute (up to
   * hh:mm:59.999999999, {@link RestoreTime}), which reads as hh:mm:59.
   */
  private String show(Instant t) {
    return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
        .atZone(zone)
        .toOffsetDateTime()
        .toString();
  }
}
