package io.redisops.recovery.restore;

import java.io.IOException;

/**
 * Step 9: only now write {@code appendonly yes} back into the config file (that line alone):
 * persisted earlier, a server that dies during the first rewrite restarts EMPTY
 * (docs/redis-facts.md, "The safe restore sequence").
 */
final class PersistAofStep implements RestoreStep {
  private final RestoreRun run;

  PersistAofStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "aof-persist";
  }

  @Override
  public String describe() {
    return "set 'appendonly yes' in " + run.target().configFile() + " again (that line alone)";
  }

  @Override
  public String run(RestoreRun r) throws IOException {
    new RedisConfigFile(r.target().configPath()).set("appendonly", "yes");
    return "appendonly yes in " + r.target().configFile();
  }
}
