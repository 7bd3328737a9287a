package io.redisops.recovery.restore;

/**
 * Step 2: stop Redis without letting it write ({@code SHUTDOWN NOSAVE} or the configured stop
 * command).
 */
final class StopStep implements RestoreStep {
  private final RestoreRun run;

  StopStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "stop";
  }

  @Override
  public String describe() {
    if (run.target().pid() < 0) {
      return "nothing to stop: Redis at "
          + run.target().address()
          + " is down (checked again when the step runs)";
    }
    return "stop Redis at "
        + run.target().address()
        + " (pid "
        + run.target().pid()
        + ") with "
        + run.control().describeStop()
        + " and wait until the process has exited";
  }

  @Override
  public String run(RestoreRun r) {
    return r.control().stop(false);
  }

  @Override
  public boolean stopsRedis() {
    return true;
  }
}
