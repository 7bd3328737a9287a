package io.redisops.schedules.status;

import java.time.Instant;

/**
 * What the daemon knows of the restore drills of one dataset. Immutable; {@link StatusRegistry}
 * replaces it.
 *
 * @param dataset dataset name
 * @param lastSuccess when the newest passing drill ended (this daemon's, or found recorded in the
 *     repository at start), null if none
 * @param lastAttempt when the newest drill ended, null if none yet
 * @param lastOk whether the newest drill passed (true when there was none yet)
 * @param lastError why the newest drill failed, null when it passed
 * @param lastBackupId the backup of the newest drill, null if none
 * @param failures failed drills since the daemon started
 */
public record DrillStatus(
    String dataset,
    Instant lastSuccess,
    Instant lastAttempt,
    boolean lastOk,
    String lastError,
    String lastBackupId,
    long failures) {

  public static DrillStatus initial(String dataset, Instant knownSuccess) {
    return new DrillStatus(dataset, knownSuccess, null, true, null, null, 0);
  }

  public DrillStatus passed(Instant at, String backupId) {
    return new DrillStatus(dataset, at, at, true, null, backupId, failures);
  }

  public DrillStatus failed(Instant at, String backupId, String error) {
    return new DrillStatus(dataset, lastSuccess, at, false, error, backupId, failures + 1);
  }
}
