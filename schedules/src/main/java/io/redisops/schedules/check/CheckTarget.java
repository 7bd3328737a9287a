package io.redisops.schedules.check;

import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.config.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * What the rules look at: the resolved settings, what each dataset's Redis said when probed once
 * (by dataset name), the capture method asked for (by dataset name: {@code --method}, else the
 * dataset's own), the clock and the network timeout.
 */
record CheckTarget(
    Settings settings,
    Map<String, RedisFacts> redis,
    Map<String, SnapshotMethod> methods,
    Clock clock,
    Duration timeout) {

  /** The capture method asked for {@code dataset}. */
  SnapshotMethod method(String dataset) {
    return methods.get(dataset);
  }
}
