package io.redisops.schedules.observe;

import io.redisops.config.DaemonSettings;
import io.redisops.schedules.status.DrillStatus;
import io.redisops.schedules.status.SentinelChecks;
import io.redisops.schedules.status.TierStatus;
import io.redisops.sentinel.CheckResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether the daemon's backups are healthy. A tier is healthy when its last attempt
 * succeeded (or none was made yet) and its newest successful backup is at most {@code period +
 * grace} old; the daemon is healthy when every registered tier is. A tier with no known successful
 * backup at all is unhealthy: nothing proves it is protected. A backup taken by another host's
 * daemon (Sentinel: its Redis is the chosen source) and seen here counts as well. Pure: the time
 * comes from the injected clock.
 */
public final class HealthEvaluator {
  /** Default slack beyond a tier's period before its newest backup counts as stale. */
  public static final Duration DEFAULT_GRACE = DaemonSettings.DEFAULT_HEALTH_GRACE;

  private final Clock clock;
  private final Duration grace;

  public HealthEvaluator(Clock clock, Duration grace) {
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative: " + grace);
    }
    this.clock = clock;
    this.grace = grace;
  }

  public Duration grace() {
    return grace;
  }

  /**
   * Evaluates the given tiers (usually {@code StatusRegistry.tiers()}) at the clock's current
   * instant.
   */
  public Health evaluate(List<TierStatus> tiers) {
    Instant now = clock.instant();
    List<Health.Problem> problems = new ArrayList<>();
    List<Health.TakenElsewhere> elsewhere = new ArrayList<>();
    for (TierStatus t : tiers) {
      String reason = problem(t, now);
      if (reason != null) {
        problems.add(
            new Health.Problem(
                t.dataset(),
                t.tier(),
                "dataset " + t.dataset() + " tier " + t.tier() + ": " + reason));
      } else if (t.takenElsewhere() != null) {
        elsewhere.add(new Health.TakenElsewhere(t.dataset(), t.tier(), t.takenElsewhere()));
      }
    }
    return new Health(now, problems, tiers.size(), elsewhere);
  }

  /**
   * Evaluates the tiers, and the restore drills: a dataset whose newest drill failed is unhealthy
   * until a drill passes again (no drill yet is no problem: drills prove backups, they are not
   * backups).
   */
  public Health evaluate(List<TierStatus> tiers, List<DrillStatus> drills) {
    Health h = evaluate(tiers);
    List<Health.Problem> problems = new ArrayList<>(h.problems());
    for (DrillStatus d : drills) {
      if (!d.lastOk()) {
        problems.add(
            new Health.Problem(
                d.dataset(),
                "drill",
                "dataset "
                    + d.dataset()
                    + ": the newest restore drill"
                    + (d.lastBackupId() == null ? "" : " (backup " + d.lastBackupId() + ")")
                    + " failed at "
                    + (d.lastAttempt() == null
                        ? "an unknown time"
                        : d.lastAttempt().truncatedTo(ChronoUnit.SECONDS))
                    + ": "
                    + d.lastError()));
      }
    }
    return new Health(h.checkedAt(), problems, h.tiers(), h.takenElsewhere());
  }

  /**
   * Evaluates the tiers, the restore drills and the latest deployment checks of the
   * Sentinel-monitored datasets: a check at FAIL makes the daemon unhealthy for its dataset (the
   * problem's tier is {@code sentinel}, the reason names the check).
   */
  public Health evaluate(
      List<TierStatus> tiers, List<DrillStatus> drills, List<SentinelChecks> checks) {
    Health h = evaluate(tiers, drills);
    List<Health.Problem> problems = new ArrayList<>(h.problems());
    for (SentinelChecks c : checks) {
      for (CheckResult r : c.failing()) {
        problems.add(
            new Health.Problem(
                c.dataset(),
                "sentinel",
                "dataset "
                    + c.dataset()
                    + " sentinel check '"
                    + r.name()
                    + "' FAIL at "
                    + c.checkedAt().truncatedTo(ChronoUnit.SECONDS)
                    + ": "
                    + r.reason()));
      }
    }
    return new Health(h.checkedAt(), problems, h.tiers(), h.takenElsewhere());
  }

  /**
   * As {@link #evaluate(List, List, List)}, with the point-in-time archivers: one that has not
   * streamed, or whose coverage has not moved on, for longer than {@link ArchiveHealth#tolerance}
   * makes the daemon unhealthy for its dataset (the problem's tier is the word "archive").
   */
  public Health evaluate(
      List<TierStatus> tiers,
      List<DrillStatus> drills,
      List<SentinelChecks> checks,
      List<io.redisops.backup.archive.ArchiverStatus> archives) {
    Health h = evaluate(tiers, drills, checks);
    List<Health.Problem> problems = new ArrayList<>(h.problems());
    for (io.redisops.backup.archive.ArchiverStatus a : archives) {
      String reason = ArchiveHealth.problem(a, h.checkedAt());
      if (reason != null) {
        problems.add(
            new Health.Problem(a.dataset(), "archive", "dataset " + a.dataset() + ": " + reason));
      }
    }
    return new Health(h.checkedAt(), problems, h.tiers(), h.takenElsewhere());
  }

  private String problem(TierStatus t, Instant now) {
    if (!t.lastAttemptOk()) {
      return "last attempt failed at "
          + (t.lastAttempt() == null
              ? "an unknown time"
              : t.lastAttempt().truncatedTo(ChronoUnit.SECONDS))
          + ": "
          + (t.lastError() == null ? "no cause recorded" : t.lastError())
          + " ("
          + t.consecutiveFailures()
          + " consecutive failure"
          + (t.consecutiveFailures() == 1 ? "" : "s")
          + ")";
    }
    String elsewhere = t.takenElsewhere() == null ? "" : " (" + t.takenElsewhere() + ")";
    if (t.lastSuccess() == null) {
      return "no successful backup yet" + elsewhere;
    }
    Duration age = Duration.between(t.lastSuccess(), now);
    if (age.compareTo(t.period().plus(grace)) > 0) {
      return "no successful backup for "
          + compact(age)
          + " (period "
          + compact(t.period())
          + " + grace "
          + compact(grace)
          + ")"
          + elsewhere;
    }
    return null;
  }

  /** {@code 2h10m}, {@code 1d3h}, {@code 45s}: whole seconds, zero parts left out. */
  static String compact(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s == 0) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    long[] sizes = {86400, 3600, 60, 1};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (s >= sizes[i]) {
        b.append(s / sizes[i]).append(units[i]);
        s %= sizes[i];
      }
    }
    return b.toString();
  }
}
