package io.redisops.backup.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.fixtures.TestManifests;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ArchiveRetention#plan} on fixed data at a fixed instant. */
class ArchiveRetentionTest {
  private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
  private static final Duration KEEP = Duration.ofDays(2);

  private static ArchiveStore.TimelineRecord timeline(
      String name, String replid, long start, Instant at, String base) {
    return new ArchiveStore.TimelineRecord(1, "ds", name, replid, start, 0, at, base, null, null);
  }

  /**
   * One segment per hour from {@code from}: segment i covers offsets [start+100i, start+100(i+1)).
   */
  private static List<ArchiveStore.SegmentRecord> hourly(
      String timeline, String replid, long start, Instant from, int count) {
    List<ArchiveStore.SegmentRecord> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long s = start + 100L * i;
      Instant at = from.plus(Duration.ofHours(i));
      out.add(
          new ArchiveStore.SegmentRecord(
              1,
              "ds",
              timeline + "/" + s,
              timeline,
              replid,
              s,
              s + 100,
              0,
              0,
              at,
              at,
              at,
              100,
              "x",
              s + ".aof.zst",
              "zstd",
              50,
              "y",
              null,
              null));
    }
    return out;
  }

  private static Manifest base(String id, Instant at, String replid, long offset) {
    return TestManifests.builder("ds", id).snapshotTime(at).tiers(Tier.HOURLY).stream(
            new Manifest.StreamPosition(replid, offset, 0))
        .build();
  }

  private static List<Long> deletedStarts(ArchiveRetention.Plan p) {
    return p.delete().stream().map(ArchiveRetention.Deletion::startOffset).toList();
  }

  @Test
  void segmentsBeforeTheOldestKeptBaseAndOlderThanTheRetentionGo() {
    Instant t0 = NOW.minus(Duration.ofDays(3)); // 72 hourly segments up to now
    var tl = timeline("t1", "r1", 0, t0, "b0");
    var records = hourly("t1", "r1", 0, t0, 72);
    // The oldest kept base is 50 h old at offset 2200 (segment 22 starts there).
    Manifest oldestKept = base("b22", t0.plus(Duration.ofHours(22)), "r1", 2200);
    Manifest newest = base("b70", t0.plus(Duration.ofHours(70)), "r1", 7000);
    ArchiveRetention.Plan p =
        ArchiveRetention.plan(List.of(tl), records, List.of(oldestKept, newest), NOW, KEEP);
    // Segments 0..21 end at or before 2200, are older than 48 h and than the base: they go.
    assertThat(deletedStarts(p)).hasSize(22).startsWith(0L).endsWith(2100L);
    assertThat(p.kept()).isEqualTo(50);
    assertThat(p.timelines()).isEmpty();
  }

  @Test
  void aKeptBaseKeepsEverySegmentAfterItEvenPastTheRetention() {
    Instant t0 = NOW.minus(Duration.ofHours(100));
    var tl = timeline("t1", "r1", 0, t0, null);
    var records = hourly("t1", "r1", 0, t0, 100);
    // A daily backup 90 h old, kept (daily tier 30 days): it needs everything from offset 1000 on.
    Manifest daily = base("d10", t0.plus(Duration.ofHours(10)), "r1", 1000);
    ArchiveRetention.Plan p =
        ArchiveRetention.plan(List.of(tl), records, List.of(daily), NOW, KEEP);
    assertThat(deletedStarts(p))
        .containsExactly(0L, 100L, 200L, 300L, 400L, 500L, 600L, 700L, 800L, 900L);
  }

  @Test
  void nothingYoungerThanTheRetentionGoesAndNeverTheNewestSegment() {
    Instant t0 = NOW.minus(Duration.ofHours(10));
    var tl = timeline("t1", "r1", 0, t0, null);
    var records = hourly("t1", "r1", 0, t0, 10);
    // No kept base continues it: still nothing younger than 48 h goes.
    assertThat(ArchiveRetention.plan(List.of(tl), records, List.of(), NOW, KEEP).delete())
        .isEmpty();
    // A tiny retention: all but the newest segment (where the archiver continues).
    ArchiveRetention.Plan p =
        ArchiveRetention.plan(List.of(tl), records, List.of(), NOW, Duration.ofMinutes(1));
    assertThat(p.delete()).hasSize(9);
    assertThat(p.kept()).isEqualTo(1);
  }

  @Test
  void anOldTimelineNoKeptBaseContinuesGoesWithItsRecord() {
    Instant t0 = NOW.minus(Duration.ofHours(80));
    var old = timeline("t1", "r1", 0, t0, "gone");
    var oldRecords = hourly("t1", "r1", 0, t0, 5);
    Instant t1 = NOW.minus(Duration.ofHours(60));
    var current = timeline("t2", "r2", 5000, t1, "b-full");
    var currentRecords = hourly("t2", "r2", 5000, t1, 60);
    List<ArchiveStore.SegmentRecord> all = new ArrayList<>(oldRecords);
    all.addAll(currentRecords);
    // The full resynchronisation's base of t2 is kept (60 h old, a daily): t2 is needed from its
    // start.
    Manifest fullResync = base("b-full", t1, "r2", 5000);
    ArchiveRetention.Plan p =
        ArchiveRetention.plan(List.of(old, current), all, List.of(fullResync), NOW, KEEP);
    assertThat(deletedStarts(p)).containsExactly(0L, 100L, 200L, 300L, 400L);
    assertThat(p.timelines()).containsExactly("t1");
    assertThat(p.kept()).isEqualTo(60);
  }
}
