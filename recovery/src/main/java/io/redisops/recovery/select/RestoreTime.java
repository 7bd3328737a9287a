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
 * Parses the {@code TIME} of {@code restore --at} (DESIGN.md section 3) into an instant, using an injected clock and
 * zone so that tests fix "now":
 * <ul>
 *   <li>{@code HH:MM[:SS]}: the latest such moment that is not in the future, in the zone (at 10:30, {@code 11:00}
 *       means yesterday 11:00; at 11:00:00 exactly it means now);</li>
 *   <li>{@code YYYY-MM-DD HH:MM[:SS]} (also with {@code T}): that local time in the zone;</li>
 *   <li>ISO-8601 with an offset or {@code Z}: {@code 2026-11-22T11:00:00+01:00}, {@code 2026-11-22T10:00:00Z};</li>
 *   <li>relative: {@code -90m}, {@code -2h}, {@code -1d} (also {@code -30s}): that long before now; a day is 24 hours.</li>
 * </ul>
 * A time in the future or text in none of these forms is a usage error (exit 2) that lists the forms.
 */
public final class RestoreTime {
  static final String FORMATS = "use HH:MM[:SS], YYYY-MM-DD HH:MM[:SS], ISO-8601 with offset or Z"
      + " (2026-11-22T11:00:00Z), or -90m / -2h / -1d";
  private static final Pattern CLOCK_TIME = Pattern.compile("\\d{1,2}:\\d{2}(:\\d{2})?");
  private static final Pattern LOCAL_DATE_TIME = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})[ T](\\d{1,2}:\\d{2}(:\\d{2})?)");
  private static final Pattern RELATIVE = Pattern.compile("-(\\d{1,9})([smhd])");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("H:mm[:ss]");

  private final Clock clock;
  private final ZoneId zone;

  public RestoreTime(Clock clock, ZoneId zone) {
    this.clock = clock;
    this.zone = zone;
  }

  /** The instant {@code text} names; see the class comment. */
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
      throw RedisOpsException.usage("--at '" + s + "' is not a valid time (" + e.getMessage() + "); " + FORMATS);
    }
    if (at == null) {
      throw RedisOpsException.usage("--at '" + s + "' is not a time redis-ops understands; " + FORMATS);
    }
    if (at.isAfter(now)) {
      throw RedisOpsException.usage("--at '" + s + "' is in the future (" + at.atZone(zone).toOffsetDateTime()
          + ", now is " + now.atZone(zone).toOffsetDateTime().withNano(0) + "); give a past time");
    }
    return at;
  }

  private Instant parseOrNull(String s, Instant now) {
    Matcher rel = RELATIVE.matcher(s);
    if (rel.matches()) {
      long n = Long.parseLong(rel.group(1));
      Duration d = switch (rel.group(2)) {
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
      // The latest such moment not in the future: today's if it has passed (or is now), else yesterday's.
      return candidate.isAfter(now) ? ZonedDateTime.of(today.minusDays(1), t, zone).toInstant() : candidate;
    }
    Matcher ldt = LOCAL_DATE_TIME.matcher(s);
    if (ldt.matches()) {
      LocalDateTime local = LocalDateTime.of(LocalDate.parse(ldt.group(1)), LocalTime.parse(ldt.group(2), TIME));
      return ZonedDateTime.of(local, zone).toInstant();
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
