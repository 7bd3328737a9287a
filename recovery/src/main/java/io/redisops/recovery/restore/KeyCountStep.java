package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisSession;
import java.util.Map;

/** Step 7: the loaded key counts must match the manifest. */
final class KeyCountStep implements RestoreStep {
  private final RestoreRun run;

  KeyCountStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "check-keys";
  }

  @Override
  public String describe() {
    Manifest m = run.backup();
    return "compare INFO keyspace with the manifest: " + Manifest.describeKeys(m.keys()) + " (" + m.totalKeys() + " keys)";
  }

  @Override
  public String run(RestoreRun r) {
    try (RedisSession redis = r.control().connect()) {
      Map<Integer, Long> loaded = KeyCounts.loaded(redis);
      String bad = KeyCounts.mismatch(r.backup(), loaded);
      if (bad != null) {
        throw RedisOpsException.failed("the restored Redis does not hold the backup's keys: " + bad);
      }
      return KeyCounts.total(loaded) + " keys loaded (" + Manifest.describeKeys(loaded) + ")";
    }
  }
}
