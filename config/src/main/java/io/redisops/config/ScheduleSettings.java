package io.redisops.config;

import io.redisops.error.RedisOpsException;
import io.redisops.text.Durations;
import java.text.ParseException;
import java.time.Duration;
import org.quartz.CronExpression;

/**
 * The daemon's schedules, validated: Quartz cron expressions (seconds first, local time zone).
 *
 * @param hourly cron of the hourly tier (default {@code 0 0 * * * ?}: minute 0 of every hour)
 * @param daily cron of the daily tier (default {@code 0 5 0 * * ?}: 00:05)
 * @param offsite cron of the off-site push (default {@code 0 30 1 * * ?}: 01:30)
 * @param retryBackoff first delay before retrying a failed backup; doubles each attempt (default
 *     30s)
 * @param stopGrace how long SIGTERM lets a running capture finish before abandoning it (default
 *     30s)
 * @param drill cron of the restore drills (default {@code 0 0 2 * * ?}: 02:00, after the daily
 *     backup and the off-site push); {@code off} for none (null)
 */
public record ScheduleSettings(
    String hourly,
    String daily,
    String offsite,
    Duration retryBackoff,
    Duration stopGrace,
    String drill) {
  public static final String DEFAULT_HOURLY = "0 0 * * * ?";
  public static final String DEFAULT_DAILY = "0 5 0 * * ?";
  public static final String DEFAULT_OFFSITE = "0 30 1 * * ?";
  public static final String DEFAULT_DRILL = "0 0 2 * * ?";

  /** Schedules with the default drill time. */
  public ScheduleSettings(
      String hourly, String daily, String offsite, Duration retryBackoff, Duration stopGrace) {
    this(hourly, daily, offsite, retryBackoff, stopGrace, DEFAULT_DRILL);
  }

  static ScheduleSettings resolve(Config.Schedule s) {
    Config.Schedule c = s == null ? new Config.Schedule(null, null, null, null, null) : s;
    return new ScheduleSettings(
        cron(c.hourly(), DEFAULT_HOURLY, "schedule.hourly"),
        cron(c.daily(), DEFAULT_DAILY, "schedule.daily"),
        cron(c.offsite(), DEFAULT_OFFSITE, "schedule.offsite"),
        c.retryBackoff() == null
            ? Duration.ofSeconds(30)
            : positive(c.retryBackoff(), "schedule.retry-backoff"),
        c.stopGrace() == null
            ? Duration.ofSeconds(30)
            : Durations.parse(c.stopGrace(), "schedule.stop-grace"),
        "off".equalsIgnoreCase(c.drill() == null ? "" : c.drill().trim())
            ? null
            : cron(c.drill(), DEFAULT_DRILL, "schedule.drill"));
  }

  /** The same schedules with another drill schedule (null: no drills). */
  public ScheduleSettings withDrill(String cron) {
    return new ScheduleSettings(hourly, daily, offsite, retryBackoff, stopGrace, cron);
  }

  /** A parsed expression (each call a new instance: CronExpression is not thread-safe). */
  public static CronExpression parse(String expression) {
    try {
      return new CronExpression(expression);
    } catch (ParseException e) {
      throw new IllegalStateException(
          "validated cron expression no longer parses: " + expression, e);
    }
  }

  private static String cron(String value, String dflt, String key) {
    String expr = value == null ? dflt : value.trim();
    try {
      CronExpression.validateExpression(expr);
    } catch (ParseException e) {
      throw RedisOpsException.usage(
          key
              + ": '"
              + expr
              + "' is not a valid Quartz cron expression ("
              + e.getMessage()
              + "); the form is 'sec min hour day-of-month month day-of-week', e.g. \"0 0 * * * ?\"");
    }
    return expr;
  }

  private static Duration positive(String text, String key) {
    Duration d = Durations.parse(text, key);
    if (d.isZero()) {
      throw RedisOpsException.usage(key + ": must be more than 0");
    }
    return d;
  }
}
