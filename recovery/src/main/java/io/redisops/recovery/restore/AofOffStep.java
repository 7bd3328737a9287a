package io.redisops.recovery.restore;

import java.io.IOException;

/**
 * Step 4: {@code appendonly no} in the config file until the AOF has been rewritten from the
 * restored data. With AOF on Redis would ignore the RDB: it loads the AOF, or with no AOF folder
 * starts EMPTY and later overwrites the RDB (docs/redis-facts.md, "The safe restore sequence"). The
 * undo is the quarantine's (the original file is copied there).
 */
final class AofOffStep implements RestoreStep {
  private final RestoreRun run;

  AofOffStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "aof-off";
  }

  @Override
  public String describe() {
    return "set 'appendonly no' in "
        + run.target().configFile()
        + " (that line alone) so that Redis loads the RDB";
  }

  @Override
  public String run(RestoreRun r) throws IOException {
    new RedisConfigFile(r.target().configPath()).set("appendonly", "no");
    return "appendonly no in " + r.target().configFile();
  }
}
