package io.redisops.recovery.pitr;

import static io.redisops.recovery.pitr.PitrFixtures.T0;
import static io.redisops.recovery.pitr.PitrFixtures.base;
import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.archive.Segment;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.fixtures.TestManifests;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One timeline of three segments (offsets 100..400, sealed at T0+1, T0+2, T0+5 s) and backups at
 * offsets 150 (T0-10 s) and 350 (T0+3 s).
 */
class ArchiveSelectionTest {
  final PitrFixtures.Builder line = new PitrFixtures.Builder("t1", PitrFixtures.REPLID, 100);
  final List<Segment> segments;
  final Manifest older = base("20261122T115950Z", T0.minusSeconds(10), 150, 0);
  final Manifest newer = base("20261122T120003Z", T0.plusSeconds(3), 350, 0);

  ArchiveSelectionTest() {
    line.raw(new byte[100], T0).seal("s1", T0.plusSeconds(1));
    line.raw(new byte[100], T0.plusSeconds(1)).seal("s2", T0.plusSeconds(2));
    line.raw(new byte[100], T0.plusSeconds(4)).seal("s3", T0.plusSeconds(5));
    segments = line.segments();
  }

  static List<String> ids(ArchiveSelection.Choice c) {
    return c.segments().stream().map(Segment::id).toList();
  }

  @Test
  void theNewestBaseAtOrBeforeTheInstantThatTheArchiveContinues() {
    ArchiveSelection.Choice c =
        ArchiveSelection.choose(List.of(older, newer), segments, T0.plusSeconds(5).minusNanos(1));
    assertThat(c.covered()).isTrue();
    assertThat(c.base().id()).isEqualTo(newer.id());
    assertThat(ids(c)).containsExactly("s3");
  }

  @Test
  void theChainRunsFromTheBasesSegmentToTheFirstSealedLateEnough() {
    // 12:00:01.5 with a fraction: second 12:00:01 is excluded, so s1 (sealed 12:00:01) is enough
    ArchiveSelection.Choice c =
        ArchiveSelection.choose(List.of(older, newer), segments, T0.plusMillis(1500));
    assertThat(c.base().id()).isEqualTo(older.id());
    assertThat(ids(c)).containsExactly("s1");
    // 12:00:01 to the second: its commands count, s1 sealed at 12:00:01.000 is not enough
    c = ArchiveSelection.choose(List.of(older, newer), segments, T0.plusSeconds(2).minusNanos(1));
    assertThat(ids(c)).containsExactly("s1", "s2");
  }

  @Test
  void anInstantAfterTheLastSealIsNotCovered() {
    ArchiveSelection.Choice c =
        ArchiveSelection.choose(List.of(older, newer), segments, T0.plusSeconds(6));
    assertThat(c.covered()).isFalse();
    assertThat(c.notCovered()).contains("backup " + newer.id()).contains("sealed up to");
    // said once, with the way to all the archive holds
    assertThat(c.notCovered().split("sealed up to", -1)).hasSize(2);
    assertThat(c.notCovered()).contains("--at now");
    assertThat(ArchiveSelection.sealedUntil(segments)).isEqualTo(T0.plusSeconds(5));
  }

  @Test
  void aGapAfterTheBaseIsNotBridged() {
    List<Segment> withGap = new ArrayList<>(segments.subList(0, 1));
    Segment s3 = segments.get(2);
    withGap.add(s3);
    ArchiveSelection.Choice c = ArchiveSelection.choose(List.of(older), withGap, T0.plusSeconds(4));
    assertThat(c.covered()).isFalse();
    assertThat(c.notCovered()).contains("gap after segment s1");
  }

  @Test
  void aBaseOnAnotherReplicationIdOrWithoutPositionIsNotContinued() {
    Manifest other =
        TestManifests.from(older).stream(new Manifest.StreamPosition("b".repeat(40), 150, 0))
            .build();
    Manifest none =
        TestManifests.builder("ds", "20261122T115955Z")
            .snapshotTime(T0.minusSeconds(5))
            .tiers(Tier.HOURLY)
            .build();
    ArchiveSelection.Choice c =
        ArchiveSelection.choose(List.of(other), segments, T0.plusSeconds(1));
    assertThat(c.covered()).isFalse();
    assertThat(c.notCovered()).contains("no archived segment continues");
    c = ArchiveSelection.choose(List.of(none, older), segments, T0.plusSeconds(1));
    // the newest (without position) is skipped, the older one is continued
    assertThat(c.base().id()).isEqualTo(older.id());
    c = ArchiveSelection.choose(List.of(none), segments, T0.plusSeconds(1));
    assertThat(c.notCovered()).contains("does not record its replication stream position");
  }

  @Test
  void aBaseAfterTheInstantIsNeverUsed() {
    ArchiveSelection.Choice c =
        ArchiveSelection.choose(List.of(newer), segments, T0.plusSeconds(2));
    assertThat(c.covered()).isFalse();
    assertThat(c.notCovered()).contains("no backup was taken at or before");
  }

  @Test
  void theArchiveEndIsTheWholeNewestTimelineFromItsNewestBase() {
    ArchiveSelection.Choice c = ArchiveSelection.toEnd(List.of(older, newer), segments);
    assertThat(c.base().id()).isEqualTo(newer.id());
    assertThat(ids(c)).containsExactly("s3");
    // every receive and seal second of the chain is included
    assertThat(ArchiveSelection.endSecond(c.segments()))
        .isEqualTo(T0.plusSeconds(5).getEpochSecond());
    c = ArchiveSelection.toEnd(List.of(older), segments);
    assertThat(ids(c)).containsExactly("s1", "s2", "s3");
  }

  @Test
  void theArchiveEndIsNotUsedWithoutItsBaseOrBeforeANewerBackup() {
    // a newer timeline (after a gap) whose base is missing: not the older one's end either
    PitrFixtures.Builder next = new PitrFixtures.Builder("t2", "c".repeat(40), 5000);
    next.raw(new byte[50], T0.plusSeconds(7)).seal("u1", T0.plusSeconds(8));
    List<Segment> both = new ArrayList<>(segments);
    both.addAll(next.segments());
    ArchiveSelection.Choice c = ArchiveSelection.toEnd(List.of(older, newer), both);
    assertThat(c.covered()).isFalse();
    assertThat(c.notCovered())
        .contains("newest archived timeline, t2")
        .contains("missing")
        .contains("sealed up to " + T0.plusSeconds(8));
    // a backup taken after the archive's last seal holds newer data
    Manifest later = base("20261122T120010Z", T0.plusSeconds(10), 9999, 0);
    c = ArchiveSelection.toEnd(List.of(older, newer, later), segments);
    assertThat(c.covered()).isFalse();
    assertThat(c.notCovered()).contains("backup " + later.id()).contains("newer than the end");
    assertThat(ArchiveSelection.toEnd(List.of(older), List.of()).covered()).isFalse();
  }

  @Test
  void noSegmentsNoCoverage() {
    assertThat(ArchiveSelection.choose(List.of(older), List.of(), Instant.MAX).notCovered())
        .contains("no segment");
  }
}
