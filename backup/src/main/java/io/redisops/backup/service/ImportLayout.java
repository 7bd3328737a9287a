package io.redisops.backup.service;

import io.redisops.backup.catalog.Tier;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an existing RDB copy's place says about it: its tier and snapshot time. Pure logic.
 *
 * <p>The layout is the one of the crontab scripts that redis-ops replaces: the hourly script copies
 * {@code dump.rdb} into a folder named by {@code date +%Y%m%d%k} ({@code 2026112909}, and before
 * 10:00 a space-padded hour: {@code 20261130 7}), the daily one into {@code date +%Y%m%d} ({@code
 * 20261201}). Folder names are local time.
 */
public final class ImportLayout {
  private static final Pattern HOURLY = Pattern.compile("(\\d{8})([ \\d]\\d)");
  private static final Pattern DAILY = Pattern.compile("\\d{8}");

  private ImportLayout() {}

  /** Where a snapshot time was read from. */
  public enum TimeSource {
    /** The RDB's own {@code ctime} AUX field: when Redis wrote it. */
    CTIME,
    /** The name of the folder holding the file (the crontab layout). */
    FOLDER,
    /** The file's modification time. */
    MTIME;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A snapshot time and where it came from. */
  public record SnapshotTime(Instant time, TimeSource source) {}

  /** A folder name of the crontab layout: its tier and the local time it names. */
  public record FolderName(Tier tier, LocalDateTime time) {}

  /**
   * {@code YYYYMMDDHH} or {@code YYYYMMDD} plus a space-padded hour is hourly, {@code YYYYMMDD}
   * daily (midnight); anything else, an impossible date or hour included, is not of the layout.
   */
  public static Optional<FolderName> parseFolder(String name) {
    try {
      Matcher h = HOURLY.matcher(name);
      if (h.matches()) {
        int hour = Integer.parseInt(h.group(2).strip());
        return Optional.of(new FolderName(Tier.HOURLY, date(h.group(1)).atTime(hour, 0)));
      }
      if (DAILY.matcher(name).matches()) {
        return Optional.of(new FolderName(Tier.DAILY, date(name).atStartOfDay()));
      }
    } catch (DateTimeException e) {
      // 20261345, hour 24: digits, but not a time the scripts can have written
    }
    return Optional.empty();
  }

  /** {@code --tier auto}: the tier named by the folder holding the file, else manual. */
  public static Tier autoTier(Path file) {
    return folderOf(file).map(FolderName::tier).orElse(Tier.MANUAL);
  }

  /**
   * The snapshot time of an RDB copy: its ctime AUX field (Redis 3.2 and later write it), else the
   * time its folder names (in {@code zone}), else {@code mtime}. The RDB's own field wins because a
   * copy can be older than its folder: the crontab copied whatever {@code dump.rdb} Redis had last
   * saved.
   */
  public static SnapshotTime snapshotTime(
      Map<String, String> aux, Path file, Instant mtime, ZoneId zone) {
    String ctime = aux.get("ctime");
    if (ctime != null) {
      try {
        long seconds = Long.parseLong(ctime.strip());
        if (seconds > 0) {
          return new SnapshotTime(Instant.ofEpochSecond(seconds), TimeSource.CTIME);
        }
      } catch (NumberFormatException e) {
        // not a number: fall back to the folder
      }
    }
    return folderOf(file)
        .map(f -> new SnapshotTime(f.time().atZone(zone).toInstant(), TimeSource.FOLDER))
        .orElseGet(() -> new SnapshotTime(mtime, TimeSource.MTIME));
  }

  private static Optional<FolderName> folderOf(Path file) {
    Path parent = file.toAbsolutePath().normalize().getParent();
    return parent == null || parent.getFileName() == null
        ? Optional.empty()
        : parseFolder(parent.getFileName().toString());
  }

  private static LocalDate date(String yyyymmdd) {
    return LocalDate.of(
        Integer.parseInt(yyyymmdd.substring(0, 4)),
        Integer.parseInt(yyyymmdd.substring(4, 6)),
        Integer.parseInt(yyyymmdd.substring(6, 8)));
  }
}
