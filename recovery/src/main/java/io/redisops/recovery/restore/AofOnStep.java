package io.redisops.recovery.restore;

import java.io.IOException;

/**
 * Point-in-time restore: {@code appendonly yes} in the config file before the start, so that Redis
 * loads the laid-out AOF (base, then commands) instead of an RDB. The undo is the quarantine's (the
 * original file is copied there).
 */
final class AofOnStep implements RestoreStep {
  private final RestoreRun run;

  AofOnStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "aof-on";
  }

  @Override
  public String describe() {
    return "set 'appendonly yes' in "
        + run.target().configFile()
        + " (that line alone) so that Redis loads the laid-out AOF: base, then the commands";
  }

  @Override
  public String run(RestoreRun r) throws IOException {
    new RedisConfigFile(r.target().configPath()).set("appendonly", "yes");
    return "appendonly yes in " + r.target().configFile();
  }
}
