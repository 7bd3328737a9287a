package io.redisops.recovery.restore;

import io.redisops.error.RedisOpsException;
import io.redisops.recovery.kernel.FailoverGuard;
import io.redisops.sentinel.FailoverHoldOff;

/**
 * Before Redis is stopped, when it is the master its sentinels monitor: hold off their automatic
 * failover ({@link io.redisops.sentinel.FailoverHoldOff}), so that a restore that keeps the master
 * down longer than {@code down-after-milliseconds} is not undone by a replica promoted with the old
 * data. Its undo gives failover back only after the rollback has started Redis again and the
 * sentinels see it up; a rollback holds failover off again first, whatever a later step did.
 */
final class HoldOffStep implements RestoreStep {
  private final RestoreRun run;

  HoldOffStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "hold-off";
  }

  @Override
  public String describe() {
    FailoverHoldOff.Saved s = run.guard().saved();
    return "hold off Sentinel's failover of '"
        + s.masterName()
        + "': SENTINEL SET "
        + s.masterName()
        + " quorum "
        + s.heldQuorum()
        + " on all "
        + s.sentinels().size()
        + " sentinels (now "
        + s.describeQuorums()
        + "; put back after the restore and by any rollback)";
  }

  @Override
  public String run(RestoreRun r) {
    return r.guard().hold();
  }

  @Override
  public void beforeRollback(RestoreRun r) {
    // A rollback stops Redis again: the failover must be held off then too, even if the release
    // step had already given it back.
    FailoverGuard g = r.guard();
    try {
      r.notices().accept("rollback: " + g.hold());
    } catch (RedisOpsException e) {
      r.notices()
          .accept(
              "rollback: WARNING failover could not be held off again ("
                  + e.getMessage()
                  + "); rolling back anyway");
    }
  }

  @Override
  public boolean undoAfterRestart() {
    return true;
  }

  @Override
  public void undo(RestoreRun r) {
    r.notices().accept("rollback: " + r.guard().release(r.control().runningPid() > 0));
  }
}
