package io.redisops.backup.retention;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.text.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which backups retention removes. A backup stays while any of its tiers still wants it
 * (age at most the tier's duration); the newest backup that is not known bad (a verification found
 * it damaged) always stays, whatever its age, so pruning can never leave a dataset without the
 * backup it would restore from. A damaged newest backup does not count as "the newest": it would
 * protect nothing. Pure logic: the caller passes the time.
 */
public final class RetentionPlanner {
  private final RetentionPolicy policy;

  public RetentionPlanner(RetentionPolicy policy) {
    this.policy = policy;
  }

  /** One decision per backup, in the order given; none of them known bad. */
  public List<Decision> plan(List<Manifest> backups, Instant now) {
    return plan(backups, Set.of(), now);
  }

  /**
   * One decision per backup, in the order given.
   *
   * @param knownBad ids of backups a verification found damaged: never "the newest"
   */
  public List<Decision> plan(List<Manifest> backups, Set<String> knownBad, Instant now) {
    Optional<Manifest> newest =
        backups.stream().filter(m -> !knownBad.contains(m.id())).min(BackupCatalog.NEWEST_FIRST);
    List<Decision> out = new ArrayList<>();
    for (Manifest m : backups) {
      Decision d = decide(m, now, newest.map(n -> n.id().equals(m.id())).orElse(false));
      if (knownBad.contains(m.id())) {
        d = new Decision(m, d.keep(), d.reason() + " (known bad: failed verification)");
      }
      out.add(d);
    }
    return out;
  }

  private Decision decide(Manifest m, Instant now, boolean isNewest) {
    if (isNewest) {
      return new Decision(m, true, "newest backup not known bad, always kept");
    }
    Duration age = Duration.between(m.snapshotTime(), now);
    for (Tier t : m.sortedTiers()) {
      Optional<Duration> max = policy.maxAge(t);
      if (max.isEmpty()) {
        return new Decision(m, true, t.id() + " backups are kept until deleted");
      }
      if (age.compareTo(max.get()) <= 0) {
        return new Decision(m, true, t.id() + " backup within " + Durations.format(max.get()));
      }
    }
    return new Decision(
        m,
        false,
        "older than the retention of its tiers " + m.sortedTiers().stream().map(Tier::id).toList());
  }

  /** Keep or delete one backup, and why. */
  public record Decision(Manifest backup, boolean keep, String reason) {}
}
