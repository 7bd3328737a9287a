package io.redisops.recovery.restore;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;

/**
 * What a finished restore did (for the CLI's output and {@code --json}).
 *
 * @param dataset the dataset
 * @param backupId the restored backup
 * @param snapshot its snapshot time
 * @param target host:port
 * @param quarantine the folder holding the data that was replaced (delete it once satisfied)
 * @param steps every step with its time and outcome
 * @param pointInTime the archived stream applied after the backup, or null
 * @param archiveFallback why a restore {@code --at} did not use the archive, or null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RestoreReport(
    String dataset,
    String backupId,
    Instant snapshot,
    String target,
    String quarantine,
    List<StepRecord> steps,
    PointInTime pointInTime,
    String archiveFallback) {

  /** One step as it ran. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record StepRecord(String name, Instant startedAt, long tookMs, String outcome) {}
}
