package io.redisops.recovery.restore;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.catalog.Manifest;
import io.redisops.recovery.kernel.StepState;
import io.redisops.sentinel.FailoverHoldOff;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a restore in progress has done, written before and after every step: after a crash the next
 * run knows which steps ran, where the original files are, and can finish ({@code --resume}) or
 * undo ({@code --rollback}).
 *
 * @param formatVersion 1
 * @param dataset the dataset
 * @param startedAt when the restore started
 * @param toolPid the process that ran it
 * @param backup the backup being restored
 * @param target the target as probed before anything was touched
 * @param staging the verified RDB before it is placed
 * @param quarantine where the original files are
 * @param done names of the finished steps, in order
 * @param current the step that was running, or null
 * @param failoverHoldOff with Sentinel: each sentinel's settings before the failover was held off
 *     (what every outcome puts back) and the replicas to see resynchronised; null without
 * @param pointInTime the cut of the archived stream applied after the backup (a restore to an
 *     instant from the archive), else null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RestoreState(
    int formatVersion,
    String dataset,
    Instant startedAt,
    long toolPid,
    Manifest backup,
    RestoreTarget target,
    String staging,
    String quarantine,
    List<String> done,
    String current,
    FailoverHoldOff.Saved failoverHoldOff,
    PointInTime pointInTime)
    implements StepState<RestoreState> {

  public static final int FORMAT_VERSION = 1;

  public RestoreState {
    done = done == null ? List.of() : List.copyOf(done);
  }

  /** A restore without Sentinel. */
  public RestoreState(
      int formatVersion,
      String dataset,
      Instant startedAt,
      long toolPid,
      Manifest backup,
      RestoreTarget target,
      String staging,
      String quarantine,
      List<String> done,
      String current) {
    this(
        formatVersion,
        dataset,
        startedAt,
        toolPid,
        backup,
        target,
        staging,
        quarantine,
        done,
        current,
        null,
        null);
  }

  @Override
  public RestoreState running(String step) {
    return with(done, step);
  }

  /**
   * This state with {@code step} to run again (no longer finished): the staged RDB of a {@code
   * fetch} that is gone when an interrupted restore resumes before the stop.
   */
  public RestoreState redo(String step) {
    List<String> d = new ArrayList<>(done);
    d.remove(step);
    return with(d, current);
  }

  @Override
  public RestoreState finished(String step) {
    List<String> d = new ArrayList<>(done);
    d.add(step);
    return with(d, null);
  }

  /** This state with other finished steps and step under way. */
  private RestoreState with(List<String> finished, String running) {
    return new RestoreState(
        formatVersion,
        dataset,
        startedAt,
        toolPid,
        backup,
        target,
        staging,
        quarantine,
        finished,
        running,
        failoverHoldOff,
        pointInTime);
  }
}
