package io.redisops.backup.service;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.DrillLog;
import io.redisops.backup.catalog.DrillRecord;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code redis-ops info}: one dataset of a repository at a glance, per place (local, off-site): how
 * many backups and bytes, the oldest and the newest (time, age, tiers), how many are known bad or
 * unusable, and the newest restore drill. Ages come from the injected clock. The records are the
 * stable JSON of {@code info --json} (docs/commands.md): fields are only ever added.
 */
public final class InfoService {
  /** One backup as {@code info} shows it. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record BackupAt(String id, Instant snapshotTime, long ageSeconds, List<String> tiers) {}

  /**
   * One dataset's backups in one repository.
   *
   * @param backups usable backups
   * @param bytes their stored (compressed, encrypted) bytes
   * @param rawBytes their RDB bytes
   * @param knownBad usable backups a verification found damaged
   * @param unusable backup folders whose manifest cannot be used (not counted in {@code backups})
   * @param oldest the oldest usable backup, null when none
   * @param newest the newest usable backup, null when none
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Place(
      String repository,
      int backups,
      long bytes,
      long rawBytes,
      int knownBad,
      int unusable,
      BackupAt oldest,
      BackupAt newest) {}

  /**
   * The newest restore drill of a dataset's backups (from {@code drill.json} beside a manifest).
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Drill(
      String backupId,
      String from,
      Instant finishedAt,
      Long ageSeconds,
      String result,
      String reason,
      Long totalKeys) {}

  private final Clock clock;

  public InfoService(Clock clock) {
    this.clock = clock;
  }

  /** One dataset in one repository. */
  public Place place(BackupCatalog catalog) throws IOException {
    BackupCatalog.Scan scan = catalog.scan();
    List<Manifest> usable = scan.usable(); // newest first
    long bytes = 0;
    long raw = 0;
    for (Manifest m : usable) {
      bytes += m.storedSize();
      raw += m.rawSize();
    }
    return new Place(
        catalog.repository().describe(),
        usable.size(),
        bytes,
        raw,
        scan.knownBad().size(),
        scan.unusable().size(),
        usable.isEmpty() ? null : at(usable.get(usable.size() - 1)),
        usable.isEmpty() ? null : at(usable.get(0)));
  }

  /** The newest drill of the dataset over the catalogs given (local, off-site), if any. */
  public Optional<Drill> newestDrill(List<BackupCatalog> catalogs) throws IOException {
    List<DrillRecord> newest = new ArrayList<>();
    for (BackupCatalog c : catalogs) {
      new DrillLog(c).newest().ifPresent(newest::add);
    }
    return newest.stream()
        .min(DrillLog.NEWEST_FIRST)
        .map(
            d ->
                new Drill(
                    d.backupId(),
                    d.from(),
                    d.finishedAt(),
                    d.finishedAt() == null ? null : age(d.finishedAt()),
                    d.result(),
                    d.reason(),
                    d.totalKeys()));
  }

  private BackupAt at(Manifest m) {
    return new BackupAt(
        m.id(),
        m.snapshotTime(),
        age(m.snapshotTime()),
        m.sortedTiers().stream().map(Tier::id).toList());
  }

  private long age(Instant t) {
    return Math.max(0, Duration.between(t, clock.instant()).toSeconds());
  }

  /** An age for people: {@code 45s}, {@code 12m}, {@code 3h 5m}, {@code 2d 4h}. */
  public static String describeAge(long seconds) {
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return seconds / 60 + "m";
    }
    if (seconds < 86400) {
      long m = seconds % 3600 / 60;
      return seconds / 3600 + "h" + (m == 0 ? "" : " " + m + "m");
    }
    long h = seconds % 86400 / 3600;
    return seconds / 86400 + "d" + (h == 0 ? "" : " " + h + "h");
  }
}
