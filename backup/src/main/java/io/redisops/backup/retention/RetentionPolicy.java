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

  /** {@code retention.archive}: the hourly tier's 48 h. */
  @SuppressWarnings("CanonicalDuration")
  public static final Duration DEFAULT_ARCHIVE = Duration.ofHours(48);

  private final Map<Tier, Duration> maxAge;
  private final Duration archive;

  public RetentionPolicy(Map<Tier, Duration> maxAge) {
    this(maxAge, DEFAULT_ARCHIVE);
  }

  /**
   * @param archive how long the point-in-time archive's segments are kept at least ({@link
   *     io.redisops.backup.archive.ArchiveRetention})
   */
  public RetentionPolicy(Map<Tier, Duration> maxAge, Duration archive) {
    this.maxAge = new EnumMap<>(Tier.class);
    this.maxAge.putAll(maxAge);
    this.archive = archive;
  }

  /**
   * {@code retention.archive}: the age after which an archive segment no kept backup needs goes.
   */
  public Duration archive() {
    return archive;
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
    return maxAge + ", archive=" + archive;
  }
}
