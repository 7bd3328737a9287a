package io.redisops.recovery.restore;

import io.redisops.sentinel.FailoverHoldOff;

/**
 * After the restored master is verified: wait until every replica the sentinels reached before has
 * resynchronised from it (link up, offset caught up, the same key counts). A replica that does not
 * within the bound is reported (the restore ends with exit 1 saying what is missing), never rolled
 * back: the master's data is the restored one either way.
 */
final class ReplicaSyncStep implements RestoreStep {
  private final RestoreRun run;

  ReplicaSyncStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "replicas";
  }

  @Override
  public String describe() {
    FailoverHoldOff.Saved s = run.guard().saved();
    if (s.replicas().isEmpty()) {
      return "no replica to wait for (the sentinels reached none)";
    }
    return "wait up to "
        + run.guard().resync().toSeconds()
        + " s until the replicas "
        + String.join(", ", s.replicas())
        + " have resynchronised from the restored master (link up, offset caught up, same key"
        + " counts); one that has not is reported (exit 1), the restore stays";
  }

  @Override
  public String run(RestoreRun r) {
    return r.guard().awaitReplicas();
  }
}
