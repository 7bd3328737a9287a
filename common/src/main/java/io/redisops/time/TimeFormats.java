package io.redisops.time;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The time formats redis-ops writes, in one place so that ids, folder names and screens agree. */
public final class TimeFormats {
  private TimeFormats() {}

  /**
   * A moment as a compact UTC stamp, {@code 20261122T110000Z}: backup ids, quarantine and state
   * folder names. It sorts as the time does and is safe in file names and S3 keys.
   */
  public static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** Date and time for people, in the zone the formatter is given ({@code 2026-11-22 11:00:00}). */
  public static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  /** Date and time with milliseconds, for event streams ({@code 2026-11-22 11:00:00.123}). */
  public static final DateTimeFormatter DATE_TIME_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

  /** Time of day for progress lines ({@code 11:00:05}). */
  public static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
}
