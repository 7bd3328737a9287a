package io.redisops.recovery.select;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.fixtures.TestManifests;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Selection among backups with known snapshot times, with TIME parsed against a fixed clock. */
class BackupSelectorTest {
  static final ZoneId UTC = ZoneOffset.UTC;
  // Hourly backups at 08:00, 09:00, 10:00, 11:00 and 12:00 on 2026-11-22, listed out of order.
  static final List<Manifest> BACKUPS =
      List.of(
          m("20261122T100000Z"),
          m("20261122T080000Z"),
          m("20261122T120000Z"),
          m("20261122T110000Z"),
          m("20261122T090000Z"));

  final BackupSelector selector = new BackupSelector(BACKUPS, "ds", UTC);

  static Manifest m(String id) {
    Instant t =
        Instant.parse(
            id.substring(0, 4)
                + "-"
                + id.substring(4, 6)
                + "-"
                + id.substring(6, 8)
                + "T"
                + id.substring(9, 11)
                + ":"
                + id.substring(11, 13)
                + ":"
                + id.substring(13, 15)
                + "Z");
    return TestManifests.builder("ds", id)
        .snapshotTime(t)
        .completedAt(t)
        .tiers(Tier.HOURLY)
        .build();
  }

  @Test
  void atPicksTheNewestAtOrBefore() {
    assertThat(selector.atOrBefore(Instant.parse("2026-11-22T11:00:00Z")).id())
        .isEqualTo("20261122T110000Z");
    assertThat(selector.atOrBefore(Instant.parse("2026-11-22T10:59:59Z")).id())
        .isEqualTo("20261122T100000Z");
    assertThat(selector.atOrBefore(Instant.parse("2026-11-23T00:00:00Z")).id())
        .isEqualTo("20261122T120000Z");
  }

  @Test
  void hhmmAtTheClockPicksTheBackupOfThatHourTodayOrYesterday() {
    // now 12:30: "--at 11:00" is today 11:00
    RestoreTime at1230 =
        new RestoreTime(Clock.fixed(Instant.parse("2026-11-22T12:30:00Z"), UTC), UTC);
    assertThat(selector.atOrBefore(at1230.parse("11:00")).id()).isEqualTo("20261122T110000Z");
    assertThat(selector.atOrBefore(at1230.parse("11:59")).id()).isEqualTo("20261122T110000Z");
    // now 10:30 the next day: "--at 11:00" is yesterday 11:00, not a future 11:00
    RestoreTime nextDay =
        new RestoreTime(Clock.fixed(Instant.parse("2026-11-23T10:30:00Z"), UTC), UTC);
    assertThat(selector.atOrBefore(nextDay.parse("11:00")).id()).isEqualTo("20261122T110000Z");
    assertThat(selector.atOrBefore(nextDay.parse("-90m")).id()).isEqualTo("20261122T120000Z");
  }

  @Test
  void nothingAtOrBeforeIsExit4NamingTheOldest() {
    assertThatThrownBy(() -> selector.atOrBefore(Instant.parse("2026-11-22T07:59:59Z")))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
              assertThat(e.getMessage())
                  .contains("oldest available is 20261122T080000Z")
                  .contains("2026-11-22T08:00Z");
            });
    // "--at 07:59" is the whole minute: shown to the second, not to the nanosecond
    RestoreTime morning =
        new RestoreTime(Clock.fixed(Instant.parse("2026-11-22T12:30:00Z"), UTC), UTC);
    assertThatThrownBy(() -> selector.atOrBefore(morning.parse("07:59")))
        .hasMessageContaining("at or before 2026-11-22T07:59:59Z;")
        .hasMessageNotContaining(".999");
  }

  @Test
  void latestAndById() {
    assertThat(selector.latest().id()).isEqualTo("20261122T120000Z");
    assertThat(selector.byId("20261122T090000Z").snapshotTime())
        .isEqualTo(Instant.parse("2026-11-22T09:00:00Z"));
    assertThatThrownBy(() -> selector.byId("nope"))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND));
    assertThatThrownBy(() -> new BackupSelector(List.of(), "ds", UTC).latest())
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND));
  }
}
