package io.redisops.text;

import java.util.Locale;

/**
 * Byte counts, rates, percentages and durations for people: {@code 512 B}, {@code 1.5 KiB}, {@code
 * 0.5 MiB/s}.
 */
public final class Sizes {
  private Sizes() {}

  public static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /**
   * Bytes per second over {@code elapsed}: {@code 0.5 MiB/s}, {@code 12.0 KiB/s} (always a digit
   * before the point).
   */
  public static String rate(long bytes, java.time.Duration elapsed) {
    double secs = Math.max(0.001, elapsed.toMillis() / 1000.0);
    return human((long) (bytes / secs)) + "/s";
  }

  /** {@code 45.3 %}. */
  public static String percent(double p) {
    return String.format(Locale.ROOT, "%.1f %%", p);
  }

  /** Whole seconds for people: {@code 42 s}, {@code 3 min 05 s}, {@code 1 h 02 min}. */
  public static String seconds(long s) {
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
  }
}
