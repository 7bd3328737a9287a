package io.redisops.recovery.restore;

/** Step 6: start Redis on the restored RDB and wait until it has loaded it and answers PING. */
final class StartStep implements RestoreStep {
  private final RestoreRun run;

  StartStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "start";
  }

  @Override
  public String describe() {
    return "start Redis with "
        + run.control().describeStart()
        + "; wait until it answers PING"
        + " (it answers LOADING meanwhile; the load progress is shown)";
  }

  @Override
  public String run(RestoreRun r) {
    // Resumed after a crash while Redis was already starting: wait for it rather than start a
    // second one.
    if (r.control().runningPid() > 0) {
      return "already running (pid "
          + r.control().awaitReady(r.progress(), java.time.Instant.EPOCH)
          + ")";
    }
    return r.control().start(r.progress()).describe();
  }
}
