package io.redisops.schedules;

import io.redisops.backup.catalog.Tier;
import io.redisops.config.ScheduleSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.TimeZone;
import org.quartz.CronExpression;

/** One tier's cron schedule, with the questions the daemon asks of it. */
public record TierSchedule(Tier tier, String cron, TimeZone zone) {

  private CronExpression expression() {
    CronExpression e = ScheduleSettings.parse(cron);
    e.setTimeZone(zone);
    return e;
  }

  /** Whether the schedule fires at exactly this instant (second resolution). */
  public boolean firesAt(Instant t) {
    return expression().isSatisfiedBy(Date.from(t));
  }

  /** The first fire time strictly after {@code t}. */
  public Instant nextAfter(Instant t) {
    Date next = expression().getNextValidTimeAfter(Date.from(t));
    return next == null ? Instant.MAX : next.toInstant();
  }

  /**
   * The time between two runs, measured on the next two fire times after {@code now}: a backup
   * older than this has missed at least one run.
   */
  public Duration period(Instant now) {
    Instant a = nextAfter(now);
    Instant b = nextAfter(a);
    return a.equals(Instant.MAX) || b.equals(Instant.MAX)
        ? Duration.ofDays(36500)
        : Duration.between(a, b);
  }
}
