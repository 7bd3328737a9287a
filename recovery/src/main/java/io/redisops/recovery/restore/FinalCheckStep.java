package io.redisops.recovery.restore;

import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisSession;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * Step 10: check the end state: answers, role master, the backup's keys, AOF as before, config file
 * as before.
 */
final class FinalCheckStep implements RestoreStep {
  private final RestoreRun run;

  FinalCheckStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "verify";
  }

  @Override
  public String describe() {
    return "check PING, role master, "
        + (run.archive() == null ? "key counts" : "the keys held")
        + ", AOF "
        + (run.target().aofOn() ? "on" : "off")
        + " and 'appendonly "
        + (run.target().aofInConfigFile() ? "yes" : "no")
        + "' in the config file";
  }

  @Override
  public String run(RestoreRun r) throws IOException {
    try (RedisSession redis = r.control().connect()) {
      redis.call(() -> redis.command("PING"));
      String role = redis.info("replication").getOrDefault("role", "?");
      if (!role.equals("master")) {
        throw RedisOpsException.failed("the restored Redis reports role " + role);
      }
      Map<Integer, Long> loaded = KeyCounts.loaded(redis);
      // after the archive's commands the manifest's counts no longer apply (check-load said what
      // was loaded)
      String bad = r.archive() == null ? KeyCounts.mismatch(r.backup(), loaded) : null;
      if (bad != null) {
        throw RedisOpsException.failed(
            "the restored Redis does not hold the backup's keys: " + bad);
      }
      boolean aof = "1".equals(redis.info("persistence").get("aof_enabled"));
      if (aof != r.target().aofOn()) {
        throw RedisOpsException.failed(
            "AOF is "
                + (aof ? "on" : "off")
                + " after the restore, it was "
                + (r.target().aofOn() ? "on" : "off")
                + " before");
      }
      boolean inFile =
          new RedisConfigFile(r.target().configPath())
              .get("appendonly")
              .orElse("no")
              .toLowerCase(Locale.ROOT)
              .equals("yes");
      if (inFile != r.target().aofInConfigFile()) {
        throw RedisOpsException.failed(
            "the config file says appendonly "
                + (inFile ? "yes" : "no")
                + ", it said "
                + (r.target().aofInConfigFile() ? "yes" : "no")
                + " before");
      }
      return KeyCounts.total(loaded) + " keys, AOF " + (aof ? "on" : "off");
    }
  }
}
