package io.redisops.recovery.select;

import io.redisops.error.RedisOpsException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the {@code TIME} of {@code restore --at} (docs/commands.md, "Restore") into an instant,
 * using an injected clock and zone so that tests fix "now":
 *
 * <ul>
 *   <li>{@code HH:MM[:SS]}: the latest such moment that is not in the future, in the zone (at
 *       10:30, {@code 11:00} means yesterday 11:00; at 11:00:00 exactly it means now);
 *   <li>{@code YYYY-MM-DD HH:MM[:SS]} (also with {@code T}): that local time in the zone;
 *   <li>ISO-8601 with an offset or {@code Z}: {@code 2026-11-22T11:00:00+01:00}, {@code
 *       2026-11-22T10:00:00Z};
 *   <li>relative: {@code -90m}, {@code -2h}, {@code -1d} (also {@code -30s}): that long before now;
 *       a day is 24 hours.
 * </ul>
 *
 * A time in the future or text in none of these forms is a usage error (exit 2) that lists the
 * forms.
 *
 * <p>A time names the whole of its last given unit: {@code 13:36:58} is every moment of that second
 * (up to 13:36:58.999999999), {@code 13:36} the whole minute. {@code list} shows snapshot times to
 * the second, so the time it shows for a backup taken at 13:36:58.61 must select that backup, not
 * the one before. ISO times with a fraction ({@code 13:36:58.500Z}) and relative times are exact.
 */
public final class RestoreTime {
  static final String FORMATS =
      "use HH:MM[:SS], YYYY-MM-DD HH:MM[:SS], ISO-8601 with offset or Z"
          + " (2026-11-22T11:00:00Z), or -90m / -2h / -1d";
  private static final Pattern CLOCK_TIME = Pattern.compile("\\d{1,2}:\\d{2}(:\\d{2})?");
  private static final Pattern LOCAL_DATE_TIME =
      Pattern.compile("(\\d{4}-\\d{2}-\\d{2})[ T](\\d{1,2}:\\d{2}(:\\d{2})?)");
  private static final Pattern RELATIVE = Pattern.compile("-(\\d{1,9})([smhd])");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("H:mm[:ss]");

  /** The clock part of any accepted form: hours, minutes and optional seconds. */
  private static final Pattern TIME_OF_DAY =
      Pattern.compile("(?:^|[ T])\\d{1,2}:\\d{2}(:\\d{2})?(?![\\d:])");

  private final Clock clock;
  private final ZoneId zone;

  public RestoreTime(Clock clock, ZoneId zone) {
    this.clock = clock;
    this.zone = zone;
  }

  /**
   * The latest instant {@code text} covers (the end of its second or minute; see the class
   * comment), never after now.
   */
  public Instant parse(String text) {
    if (text == null || text.isBlank()) {
      throw RedisOpsException.usage("--at needs a TIME; " + FORMATS);
    }
    String s = text.trim();
    Instant now = clock.instant();
    Instant at;
    try {
      at = parseOrNull(s, now);
    } catch (DateTimeException e) {
      throw RedisOpsException.usage(
          "--at '" + s + "' is not a valid time (" + e.getMessage() + "); " + FORMATS);
    }
    if (at == null) {
      throw RedisOpsException.usage(
          "--at '" + s + "' is not a time redis-ops understands; " + FORMATS);
    }
    if (at.isAfter(now)) {
      throw RedisOpsException.usage(
          "--at '"
              + s
              + "' is in the future ("
              + at.atZone(zone).toOffsetDateTime()
              + ", now is "
              + now.atZone(zone).toOffsetDateTime().withNano(0)
              + "); give a past time");
    }
    Instant end = at.plus(precision(s)).minusNanos(1);
    return end.isAfter(now) ? now : end;
  }

  /**
   * How long a span the text names: a second or a minute for clock times, nothing (exact) for the
   * rest.
   */
  private static Duration precision(String s) {
    if (RELATIVE.matcher(s).matches() || s.contains(".") || s.contains(",")) {
      return Duration.ofNanos(1);
    }
    Matcher time = TIME_OF_DAY.matcher(s);
    if (!time.find()) {
      return Duration.ofNanos(1);
    }
    return time.group(1) != null ? Duration.ofSeconds(1) : Duration.ofMinutes(1);
  }

  private Instant parseOrNull(String s, Instant now) {
    Matcher rel = RELATIVE.matcher(s);
    if (rel.matches()) {
      long n = Long.parseLong(rel.group(1));
      Duration d =
          switch (rel.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
      return now.minus(d);
    }
    if (CLOCK_TIME.matcher(s).matches()) {
      LocalTime t = LocalTime.parse(s, TIME);
      LocalDate today = now.atZone(zone).toLocalDate();
      Instant candidate = ZonedDateTime.of(today, t, zone).toInstant();
      // The latest such moment not in the future: today's if it has passed (or is now), else
      // yesterday's.
      return candidate.isAfter(now)
          ? ZonedDateTime.of(today.minusDays(1), t, zone).toInstant()
          : candidate;
    }
    Matcher ldt = LOCAL_DATE_TIME.matcher(s);
    if (ldt.matches()) {
      LocalDateTime local =
          LocalDateTime.of(LocalDate.parse(ldt.group(1)), LocalTime.parse(ldt.group(2), TIME));
      return ZonedDateTime.of(local, zone).toInstant();
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
