package io.redisops.recovery.restore;

import io.redisops.sentinel.FailoverHoldOff;

/**
 * Last: once every sentinel sees the restored master up, give failover back to them (each
 * sentinel's quorum as before). A failure here is reported with the commands to do it by hand (exit
 * 1), never rolled back: the restore itself is done.
 */
final class ReleaseHoldOffStep implements RestoreStep {
  private final RestoreRun run;

  ReleaseHoldOffStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "release";
  }

  @Override
  public String describe() {
    FailoverHoldOff.Saved s = run.guard().saved();
    return "once every sentinel sees the master up, give failover back: " + s.describeQuorums();
  }

  @Override
  public String run(RestoreRun r) {
    return r.guard().releaseReporting();
  }
}
