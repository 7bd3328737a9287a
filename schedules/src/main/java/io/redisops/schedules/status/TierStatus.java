package io.redisops.schedules.status;

import java.time.Duration;
import java.time.Instant;

/**
 * What the daemon knows of one scheduled tier of one dataset. Immutable snapshot; {@link
 * StatusRegistry} replaces it.
 *
 * @param dataset dataset name
 * @param tier tier id ({@code hourly}, {@code daily})
 * @param period time between two scheduled runs (from the cron expression)
 * @param lastSuccess completion time of the last successful backup of this tier (by this daemon,
 *     found in the repository at start, or taken by another host's daemon and seen locally or
 *     off-site), null if none
 * @param lastDuration how long that backup took, null if unknown
 * @param lastSizeBytes stored size of that backup, -1 if unknown
 * @param lastAttempt time of the last attempt (successful or not), null if none yet
 * @param lastAttemptOk whether the last attempt succeeded (true when there was none yet)
 * @param lastError one-line cause of the last failure, null when the last attempt succeeded
 * @param failures failures counted since the daemon started
 * @param consecutiveFailures failures since the last success
 * @param takenElsewhere null while this daemon takes the tier's backups; otherwise why another
 *     host's daemon takes them (Sentinel: that host's Redis is the chosen source) and which of its
 *     backups this daemon last saw
 */
public record TierStatus(
    String dataset,
    String tier,
    Duration period,
    Instant lastSuccess,
    Duration lastDuration,
    long lastSizeBytes,
    Instant lastAttempt,
    boolean lastAttemptOk,
    String lastError,
    long failures,
    long consecutiveFailures,
    String takenElsewhere) {

  public static TierStatus initial(String dataset, String tier, Duration period) {
    return new TierStatus(dataset, tier, period, null, null, -1, null, true, null, 0, 0, null);
  }

  public TierStatus succeeded(
      Instant at, Instant backupCompletedAt, Duration duration, long sizeBytes) {
    return new TierStatus(
        dataset,
        tier,
        period,
        backupCompletedAt,
        duration,
        sizeBytes,
        at,
        true,
        null,
        failures,
        0,
        null);
  }

  public TierStatus failed(Instant at, String error) {
    return new TierStatus(
        dataset,
        tier,
        period,
        lastSuccess,
        lastDuration,
        lastSizeBytes,
        at,
        false,
        error,
        failures + 1,
        consecutiveFailures + 1,
        null);
  }

  /**
   * The newest backup found in the repository at start, so freshness is known before the first run.
   */
  public TierStatus knownBackup(Instant completedAt, Duration duration, long sizeBytes) {
    return new TierStatus(
        dataset,
        tier,
        period,
        completedAt,
        duration,
        sizeBytes,
        lastAttempt,
        lastAttemptOk,
        lastError,
        failures,
        consecutiveFailures,
        takenElsewhere);
  }

  /**
   * The run was left to another host's daemon. When that daemon's newest backup of this tier is
   * seen (completed at {@code newestCompletedAt}), it counts as this tier's last success: the
   * dataset is protected, whichever host took it. When none is seen, the earlier state stands and
   * {@code why} says what is missing.
   */
  public TierStatus takenElsewhere(
      Instant at, Instant newestCompletedAt, Duration duration, long sizeBytes, String why) {
    if (newestCompletedAt == null) {
      return new TierStatus(
          dataset,
          tier,
          period,
          lastSuccess,
          lastDuration,
          lastSizeBytes,
          lastAttempt,
          lastAttemptOk,
          lastError,
          failures,
          consecutiveFailures,
          why);
    }
    boolean newer = lastSuccess == null || newestCompletedAt.isAfter(lastSuccess);
    return new TierStatus(
        dataset,
        tier,
        period,
        newer ? newestCompletedAt : lastSuccess,
        newer ? duration : lastDuration,
        newer ? sizeBytes : lastSizeBytes,
        at,
        true,
        null,
        failures,
        0,
        why);
  }
}
