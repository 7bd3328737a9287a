package io.redisops.schedules.status;

import io.redisops.sentinel.CheckResult;
import java.time.Instant;
import java.util.List;

/**
 * The latest run of the deployment checks ({@code sentinel check}) of one Sentinel-monitored
 * dataset, as the daemon ran them.
 *
 * @param dataset the dataset
 * @param checkedAt when the run started
 * @param results every check, in the order of {@code sentinel check}; a run that could not read the
 *     sentinels at all is one FAIL named {@code check-run}
 */
public record SentinelChecks(String dataset, Instant checkedAt, List<CheckResult> results) {
  public SentinelChecks {
    results = List.copyOf(results);
  }

  /** The checks at FAIL. */
  public List<CheckResult> failing() {
    return results.stream().filter(r -> r.level() == CheckResult.Level.FAIL).toList();
  }

  /** The level of the check {@code name}, or null when this run has no such check. */
  public CheckResult.Level level(String name) {
    return results.stream()
        .filter(r -> r.name().equals(name))
        .map(CheckResult::level)
        .findFirst()
        .orElse(null);
  }
}
