package io.redisops.backup.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.catalog.Tier;
import io.redisops.backup.service.ImportLayout.FolderName;
import io.redisops.backup.service.ImportLayout.TimeSource;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The crontab scripts' folder layout ({@code date +%Y%m%d%k}, {@code date +%Y%m%d}) and where a
 * snapshot time comes from.
 */
class ImportLayoutTest {
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  static final Instant MTIME = Instant.parse("2026-12-01T12:34:56Z");

  @Test
  void hourlyFoldersWithTwoDigitAndSpacePaddedHours() {
    assertThat(ImportLayout.parseFolder("2026112909"))
        .contains(new FolderName(Tier.HOURLY, LocalDateTime.parse("2026-11-29T09:00")));
    assertThat(ImportLayout.parseFolder("2026113015"))
        .contains(new FolderName(Tier.HOURLY, LocalDateTime.parse("2026-11-30T15:00")));
    // what `date +%Y%m%d%k` writes at 07:00 and at midnight
    assertThat(ImportLayout.parseFolder("20261130 7"))
        .contains(new FolderName(Tier.HOURLY, LocalDateTime.parse("2026-11-30T07:00")));
    assertThat(ImportLayout.parseFolder("20261201 0"))
        .contains(new FolderName(Tier.HOURLY, LocalDateTime.parse("2026-12-01T00:00")));
  }

  @Test
  void dailyFolder() {
    assertThat(ImportLayout.parseFolder("20261201"))
        .contains(new FolderName(Tier.DAILY, LocalDateTime.parse("2026-12-01T00:00")));
  }

  @Test
  void anythingElseIsNotOfTheLayout() {
    for (String name :
        new String[] {
          "snapshotting",
          "2026113024",
          "20261301",
          "20260230",
          "2026113",
          "202611300",
          "20261130  7",
          " 2026113007",
          "2026-11-30",
          "20261130 x",
          "2026113007 "
        }) {
      assertThat(ImportLayout.parseFolder(name)).as(name).isEmpty();
    }
    assertThat(ImportLayout.autoTier(Path.of("/backups/old/dump.rdb"))).isEqualTo(Tier.MANUAL);
    assertThat(ImportLayout.autoTier(Path.of("/backups/2026113024/dump.rdb")))
        .isEqualTo(Tier.MANUAL);
  }

  @Test
  void autoTierReadsTheFolderHoldingTheFile() {
    assertThat(ImportLayout.autoTier(Path.of("/usr/local/redis/snapshotting/20261130 7/dump.rdb")))
        .isEqualTo(Tier.HOURLY);
    assertThat(ImportLayout.autoTier(Path.of("/usr/local/redis/snapshotting/2026112909/dump.rdb")))
        .isEqualTo(Tier.HOURLY);
    assertThat(ImportLayout.autoTier(Path.of("/usr/local/redis/snapshotting/20261201/dump.rdb")))
        .isEqualTo(Tier.DAILY);
    // only the folder that holds the file counts
    assertThat(ImportLayout.autoTier(Path.of("/x/20261201/more/dump.rdb"))).isEqualTo(Tier.MANUAL);
  }

  @Test
  void theRdbsOwnCtimeWinsOverTheFolderName() {
    Path file = Path.of("/s/2026113009/dump.rdb");
    // dump.rdb was last saved at 08:57 local; the crontab copied it at 09:00
    long ctime = Instant.parse("2026-11-30T07:57:00Z").getEpochSecond();
    assertThat(
            ImportLayout.snapshotTime(
                Map.of("redis-ver", "7.0.15", "ctime", Long.toString(ctime)), file, MTIME, BERLIN))
        .isEqualTo(
            new ImportLayout.SnapshotTime(Instant.parse("2026-11-30T07:57:00Z"), TimeSource.CTIME));
  }

  @Test
  void withoutCtimeTheFolderNameInTheLocalZone() {
    // Redis before 3.2 wrote no AUX fields
    assertThat(
            ImportLayout.snapshotTime(Map.of(), Path.of("/s/20261130 7/dump.rdb"), MTIME, BERLIN))
        .isEqualTo(
            new ImportLayout.SnapshotTime(
                Instant.parse("2026-11-30T06:00:00Z"), TimeSource.FOLDER));
    assertThat(
            ImportLayout.snapshotTime(
                Map.of("ctime", "garbage"), Path.of("/s/20261201/dump.rdb"), MTIME, BERLIN))
        .isEqualTo(
            new ImportLayout.SnapshotTime(
                Instant.parse("2026-11-30T23:00:00Z"), TimeSource.FOLDER));
    assertThat(
            ImportLayout.snapshotTime(
                Map.of("ctime", "0"), Path.of("/s/2026113015/dump.rdb"), MTIME, ZoneId.of("UTC")))
        .isEqualTo(
            new ImportLayout.SnapshotTime(
                Instant.parse("2026-11-30T15:00:00Z"), TimeSource.FOLDER));
  }

  @Test
  void elseTheFilesModificationTime() {
    assertThat(
            ImportLayout.snapshotTime(Map.of(), Path.of("/s/old copies/dump-7.rdb"), MTIME, BERLIN))
        .isEqualTo(new ImportLayout.SnapshotTime(MTIME, TimeSource.MTIME));
  }
}
