package io.redisops.backup.retention;

import io.redisops.backup.catalog.Tier;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * How long each tier keeps a backup. A tier without a duration (manual, by default) keeps its
 * backups until they are deleted by hand.
 */
public final class RetentionPolicy {
  @SuppressWarnings("CanonicalDuration") // retention is stated in hours (48 h), as in the docs
  public static final Duration DEFAULT_HOURLY = Duration.ofHours(48);

  public static final Duration DEFAULT_DAILY = Duration.ofDays(30);

  private final Map<Tier, Duration> maxAge;

  public RetentionPolicy(Map<Tier, Duration> maxAge) {
    this.maxAge = new EnumMap<>(Tier.class);
    this.maxAge.putAll(maxAge);
  }

  /**
   * Hourly 48 h, daily 30 days, manual kept until deleted: the crontab policy of the reference
   * notes.
   */
  public static RetentionPolicy defaults() {
    return new RetentionPolicy(Map.of(Tier.HOURLY, DEFAULT_HOURLY, Tier.DAILY, DEFAULT_DAILY));
  }

  /** The age after which a backup of this tier may go; empty means "forever". */
  public Optional<Duration> maxAge(Tier tier) {
    return Optional.ofNullable(maxAge.get(tier));
  }

  @Override
  public String toString() {
    return maxAge.toString();
  }
}
