package io.redisops.config;

import io.redisops.error.RedisOpsException;
import io.redisops.text.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code archive} section, validated: whether the daemon keeps a point-in-time archive of every
 * configured dataset, and how often its segments are sealed.
 *
 * @param enabled {@code archive.enabled}
 * @param segment {@code archive.segment}: a segment is sealed (and acknowledged to the master) this
 *     often
 * @param segmentBytes {@code archive.segment-size}: a segment is sealed at once at this size
 */
public record ArchiveSettings(boolean enabled, Duration segment, long segmentBytes) {
  public static final Duration DEFAULT_SEGMENT = Duration.ofSeconds(1);
  public static final long DEFAULT_SEGMENT_BYTES = 16L * 1024 * 1024;
  static final Duration MIN_SEGMENT = Duration.ofMillis(100);
  static final Duration MAX_SEGMENT = Duration.ofMinutes(10);
  static final long MIN_SEGMENT_BYTES = 64L * 1024;
  static final long MAX_SEGMENT_BYTES = 1024L * 1024 * 1024;
  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})(b|kb|mb|gb)?");

  /** No archive (the default). */
  public static ArchiveSettings disabled() {
    return new ArchiveSettings(false, DEFAULT_SEGMENT, DEFAULT_SEGMENT_BYTES);
  }

  static ArchiveSettings resolve(Config.Archive a) {
    if (a == null) {
      return disabled();
    }
    Duration segment =
        a.segment() == null ? DEFAULT_SEGMENT : Durations.parse(a.segment(), "archive.segment");
    if (segment.compareTo(MIN_SEGMENT) < 0 || segment.compareTo(MAX_SEGMENT) > 0) {
      throw RedisOpsException.usage(
          "archive.segment: '"
              + a.segment()
              + "' is out of range; use 100ms to 10m (the archive's loss on a lost host is"
              + " at most one segment)");
    }
    long bytes =
        a.segmentSize() == null
            ? DEFAULT_SEGMENT_BYTES
            : size(a.segmentSize(), "archive.segment-size");
    if (bytes < MIN_SEGMENT_BYTES || bytes > MAX_SEGMENT_BYTES) {
      throw RedisOpsException.usage(
          "archive.segment-size: '" + a.segmentSize() + "' is out of range; use 64kb to 1gb");
    }
    return new ArchiveSettings(Boolean.TRUE.equals(a.enabled()), segment, bytes);
  }

  /** {@code 16mb}, {@code 512kb}, {@code 1gb}, or bytes (binary units). */
  static long size(String text, String key) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw RedisOpsException.usage(
          key + ": '" + text + "' is not a size; use a number and a unit: 512kb, 16mb, 1gb");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    return switch (unit) {
      case "kb" -> n * 1024;
      case "mb" -> n * 1024 * 1024;
      case "gb" -> n * 1024 * 1024 * 1024;
      default -> n;
    };
  }
}
