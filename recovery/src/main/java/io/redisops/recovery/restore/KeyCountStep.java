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
    if (!m.keyCountsExact()) {
      return "report the loaded key count (the backup was verified by checksum only: no exact count to compare)";
    }
    return "compare INFO keyspace with the manifest: "
        + Manifest.describeKeys(m.keys())
        + " ("
        + m.totalKeys()
        + " keys)";
  }

  @Override
  public String run(RestoreRun r) {
    try (RedisSession redis = r.control().connect()) {
      Map<Integer, Long> loaded = KeyCounts.loaded(redis);
      String bad = KeyCounts.mismatch(r.backup(), loaded);
      if (bad != null) {
        throw RedisOpsException.failed(
            "the restored Redis does not hold the backup's keys: " + bad);
      }
      String loadedText =
          KeyCounts.total(loaded) + " keys loaded (" + Manifest.describeKeys(loaded) + ")";
      Manifest m = r.backup();
      // A checksum-only backup has no exact count to compare; the server's count at capture is only
      // indicative
      // (writes went on while the snapshot was taken), so it is shown, not enforced.
      return m.keyCountsExact()
          ? loadedText
          : loadedText
              + "; the backup's count is "
              + m.describeTotalKeys()
              + (m.keysKnown() ? " (not exact: verified by checksum only)" : "")
              + (m.keysKnown() && m.serverKeys() != null
                  ? " (the server had " + m.serverKeys() + " at capture)"
                  : "");
    }
  }
}
