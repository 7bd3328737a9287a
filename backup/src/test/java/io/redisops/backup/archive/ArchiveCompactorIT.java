package io.redisops.backup.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.fixtures.ArchiveFixture;
import io.redisops.backup.fixtures.ArchiveFixture.Cmd;
import io.redisops.backup.fixtures.TestManifests;
import io.redisops.storage.ForwardingRepository;
import io.redisops.storage.LocalRepository;
import io.redisops.storage.Repository;
import io.redisops.storage.StoredObject;
import io.redisops.testkit.ServerBuild;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ArchiveCompactor} on a real local repository: merged segments read byte for byte as their
 * parts did (and {@code redis-check-aof} accepts them), what is never merged (holes, replication id
 * changes, timelines, the last segment), an interrupted compaction at each step, retention over
 * merged segments.
 */
class ArchiveCompactorIT {
  private static final String DATASET = "pitr";
  private static final String R1 = "1".repeat(40);
  private static final String R2 = "2".repeat(40);
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Duration SETTLE = Duration.ofMinutes(1);

  @TempDir Path dir;

  /** A repository that can fail merged records' writes, or sealed segments' deletes. */
  static final class Faulty extends ForwardingRepository {
    volatile boolean failMergedRecord;
    volatile boolean failDeletes;

    Faulty(Repository r) {
      super(r);
    }

    @Override
    public StoredObject write(String key, BodyWriter body) throws IOException {
      if (failMergedRecord && key.matches(".*/\\d{19}-\\d{19}\\.json")) {
        throw new IOException("killed before the merged record of " + key);
      }
      return super.write(key, body);
    }

    @Override
    public void delete(String key) throws IOException {
      if (failDeletes && key.matches(".*/\\d{19}\\.(json|aof.*)")) {
        throw new IOException("killed before deleting " + key);
      }
      super.delete(key);
    }
  }

  private Faulty repo;
  private ArchiveStore store;

  private ArchiveStore store() {
    repo = new Faulty(new LocalRepository(dir.resolve("repo")));
    store = new ArchiveStore(repo, Compression.ZSTD);
    return store;
  }

  /** {@code n} segments from {@code from}, one per second, each with commands in two seconds. */
  private static List<ArchiveStore.SegmentRecord> seal(
      ArchiveFixture f, Instant from, int n, String tag) throws IOException {
    List<ArchiveStore.SegmentRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Instant a = from.plusSeconds(2L * i);
      out.add(
          f.seal(
              a.plusMillis(1500),
              new Cmd(a, "SET", tag + ":" + i, "v" + i),
              new Cmd(a, "PING"),
              new Cmd(a.plusSeconds(1), "INCR", tag + ":n")));
    }
    return out;
  }

  private List<String> listing() throws IOException {
    return repo.list(ArchiveStore.ROOT + "/").stream().map(StoredObject::key).toList();
  }

  private static List<String> ids(List<ArchiveStore.SegmentRecord> records) {
    return records.stream().map(ArchiveStore.SegmentRecord::id).toList();
  }

  @Test
  void mergesEachFinishedSpanIntoOneSegmentThatReadsByteForByteAsItsParts() throws Exception {
    store();
    ArchiveFixture f = ArchiveFixture.start(store, DATASET, R1, 1000, T0, "base-1");
    List<ArchiveStore.SegmentRecord> a = seal(f, T0.plusSeconds(60), 5, "a"); // 10:00-10:10
    List<ArchiveStore.SegmentRecord> b = seal(f, T0.plus(Duration.ofMinutes(12)), 4, "b");
    List<ArchiveStore.SegmentRecord> c = seal(f, T0.plus(Duration.ofMinutes(21)), 3, "c");
    byte[] before = ArchiveFixture.stream(store, store.segments(DATASET));
    assertThat(listing()).hasSize(2 * 12 + 1);

    // 10:25: the spans 10:00 and 10:10 are over (and settled), 10:20 is not
    ArchiveCompactor.Result r =
        new ArchiveCompactor(store).compact(DATASET, T0.plus(Duration.ofMinutes(25)), SETTLE);

    assertThat(r.merged()).hasSize(2);
    assertThat(r.partsRemoved()).isEqualTo(9);
    ArchiveStore.SegmentRecord ma = r.merged().get(0);
    assertThat(ma.startOffset()).isEqualTo(a.get(0).startOffset());
    assertThat(ma.endOffset()).isEqualTo(a.get(4).endOffset());
    assertThat(ma.firstReceived()).isEqualTo(a.get(0).firstReceived());
    assertThat(ma.lastReceived()).isEqualTo(a.get(4).lastReceived());
    assertThat(ma.sealedAt()).isEqualTo(a.get(4).sealedAt());
    assertThat(ma.rawSize()).isEqualTo(a.stream().mapToLong(x -> x.rawSize()).sum());
    assertThat(ma.parts()).isEqualTo(5);
    assertThat(ma.object())
        .isEqualTo(
            String.format("%019d-%019d.aof.zst", a.get(0).startOffset(), a.get(4).endOffset()));
    List<ArchiveStore.SegmentRecord> now = store.records(DATASET);
    assertThat(ids(now))
        .containsExactly(
            ma.id(), r.merged().get(1).id(), c.get(0).id(), c.get(1).id(), c.get(2).id());
    assertThat(r.merged().get(1).endOffset()).isEqualTo(b.get(3).endOffset());
    // byte for byte the same stream, each merged segment checked against its recorded SHA-256
    assertThat(ArchiveFixture.stream(store, store.segments(DATASET))).isEqualTo(before);
    assertThat(listing()).hasSize(2 * 5 + 1);

    // Again: nothing to do (a merged segment is never merged again, 10:20 is not over).
    ArchiveCompactor.Result again =
        new ArchiveCompactor(store).compact(DATASET, T0.plus(Duration.ofMinutes(25)), SETTLE);
    assertThat(again.merged()).isEmpty();
    assertThat(again.partsRemoved() + again.leftovers()).isZero();

    // redis-check-aof accepts a merged segment alone, and the whole stream
    ServerBuild server = ServerBuild.DEBIAN;
    Path one = dir.resolve("merged.aof");
    Files.write(one, ArchiveFixture.stream(store, List.of(ma.segment())));
    Path all = dir.resolve("all.aof");
    Files.write(all, before);
    for (Path p : List.of(one, all)) {
      Process check =
          new ProcessBuilder(server.executable("redis-check-aof").toString(), p.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(check.exitValue()).as(out).isZero();
      assertThat(out).contains("is valid");
    }
  }

  @Test
  void neverMergesAcrossAHoleAReplicationIdATimelineOrTheLastSegment() throws Exception {
    store();
    Instant at = T0.plusSeconds(30);
    ArchiveFixture f = ArchiveFixture.start(store, DATASET, R1, 0, T0, null);
    List<ArchiveStore.SegmentRecord> p = new ArrayList<>(seal(f, at, 3, "p"));
    f.skip(7); // a hole (a real timeline never has one: a gap starts a new timeline)
    p.addAll(seal(f, at.plusSeconds(10), 2, "q"));
    f.replid(R2); // a failover inside the timeline
    p.addAll(seal(f, at.plusSeconds(20), 3, "r"));
    ArchiveFixture g = ArchiveFixture.start(store, DATASET, R1, 500, T0.plusSeconds(1), null);
    List<ArchiveStore.SegmentRecord> q = seal(g, at.plusSeconds(40), 3, "s");
    byte[] before = ArchiveFixture.stream(store, store.segments(DATASET));

    ArchiveCompactor.Result r =
        new ArchiveCompactor(store).compact(DATASET, T0.plus(Duration.ofHours(1)), SETTLE);

    // t1: [p0..p2] [q0 q1] [r0 r1] and r2 (its last) left; t2: [s0 s1] and s2 (its last) left
    List<long[]> ranges =
        r.merged().stream()
            .map(m -> new long[] {m.startOffset(), m.endOffset(), m.parts()})
            .toList();
    assertThat(ranges)
        .containsExactly(
            new long[] {p.get(0).startOffset(), p.get(2).endOffset(), 3},
            new long[] {p.get(3).startOffset(), p.get(4).endOffset(), 2},
            new long[] {p.get(5).startOffset(), p.get(6).endOffset(), 2},
            new long[] {q.get(0).startOffset(), q.get(1).endOffset(), 2});
    assertThat(r.merged().get(0).timeline()).isEqualTo(f.timeline());
    assertThat(r.merged().get(1).replid()).isEqualTo(R1);
    assertThat(r.merged().get(2).replid()).isEqualTo(R2);
    assertThat(r.merged().get(3).timeline()).isEqualTo(g.timeline());
    assertThat(ids(store.records(DATASET)))
        .containsExactly(
            r.merged().get(0).id(),
            r.merged().get(1).id(),
            r.merged().get(2).id(),
            p.get(7).id(),
            r.merged().get(3).id(),
            q.get(2).id());
    assertThat(ArchiveFixture.stream(store, store.segments(DATASET))).isEqualTo(before);
  }

  @Test
  void aCompactionKilledAtAnyStepLeavesTheSameStreamAndIsFinishedByTheNext() throws Exception {
    store();
    ArchiveFixture f = ArchiveFixture.start(store, DATASET, R1, 1000, T0, null);
    List<ArchiveStore.SegmentRecord> a = seal(f, T0.plusSeconds(5), 4, "a");
    ArchiveStore.SegmentRecord last = seal(f, T0.plus(Duration.ofMinutes(15)), 1, "z").get(0);
    List<String> sealed = ids(store.records(DATASET));
    byte[] before = ArchiveFixture.stream(store, store.segments(DATASET));
    List<String> objects = listing();
    Instant now = T0.plus(Duration.ofMinutes(20));

    // 1. killed between the merged content and its record: nothing else listed changes
    repo.failMergedRecord = true;
    assertThatThrownBy(() -> new ArchiveCompactor(store).compact(DATASET, now, SETTLE))
        .isInstanceOf(IOException.class);
    repo.failMergedRecord = false;
    assertThat(ids(store.records(DATASET))).isEqualTo(sealed);
    assertThat(ArchiveFixture.stream(store, store.segments(DATASET))).isEqualTo(before);
    assertThat(listing()).hasSize(objects.size() + 1); // the merged content, unlisted
    // the archiver's start-up clean-up leaves it (a compaction may be writing it)
    assertThat(store.cleanupIncomplete(DATASET)).isZero();

    // 2. killed after the merged record, before any part was removed
    repo.failDeletes = true;
    assertThatThrownBy(() -> new ArchiveCompactor(store).compact(DATASET, now, SETTLE))
        .isInstanceOf(IOException.class);
    repo.failDeletes = false;
    List<ArchiveStore.SegmentRecord> both = store.allRecords(DATASET);
    assertThat(both).hasSize(a.size() + 2); // the merged record and every part listed
    List<ArchiveStore.SegmentRecord> read = store.records(DATASET);
    assertThat(read).hasSize(2);
    assertThat(read.get(0).parts()).isEqualTo(4);
    assertThat(read.get(1).id()).isEqualTo(last.id());
    assertThat(ArchiveFixture.stream(store, store.segments(DATASET))).isEqualTo(before);

    // 3. the next compaction removes the parts (and the orphan content of step 1 was replaced)
    ArchiveCompactor.Result r = new ArchiveCompactor(store).compact(DATASET, now, SETTLE);
    assertThat(r.merged()).isEmpty();
    assertThat(r.leftovers()).isEqualTo(2 * a.size());
    assertThat(store.allRecords(DATASET)).hasSize(2);
    assertThat(listing()).hasSize(2 * 2 + 1);
    assertThat(ArchiveFixture.stream(store, store.segments(DATASET))).isEqualTo(before);
  }

  @Test
  void retentionKeepsAMergedSegmentAKeptBaseNeedsAndDropsItWhole() throws Exception {
    store();
    ArchiveFixture f = ArchiveFixture.start(store, DATASET, R1, 1000, T0, "b0");
    List<ArchiveStore.SegmentRecord> a = seal(f, T0.plusSeconds(5), 4, "a");
    List<ArchiveStore.SegmentRecord> b = seal(f, T0.plus(Duration.ofMinutes(11)), 3, "b");
    seal(f, T0.plus(Duration.ofMinutes(25)), 1, "c");
    // killed after the merged records, before the parts went: retention removes those too
    repo.failDeletes = true;
    assertThatThrownBy(
            () ->
                new ArchiveCompactor(store)
                    .compact(DATASET, T0.plus(Duration.ofMinutes(30)), SETTLE))
        .isInstanceOf(IOException.class);
    repo.failDeletes = false;
    // the first span's merged record and its parts; the second span was not reached; c
    assertThat(store.allRecords(DATASET)).hasSize(1 + 4 + 3 + 1);
    new ArchiveCompactor(store).compact(DATASET, T0.plus(Duration.ofMinutes(30)), SETTLE);
    List<ArchiveStore.SegmentRecord> merged = store.records(DATASET);
    assertThat(merged).hasSize(3);

    Instant later = T0.plus(Duration.ofDays(5));
    // A kept base inside the first merged segment needs all of it: nothing goes. (Its snapshot
    // time is after every seal, so that only its stream position keeps the segment.)
    Manifest inside = base("b1", T0.plus(Duration.ofHours(1)), a.get(1).endOffset());
    ArchiveRetention.Plan keep =
        ArchiveRetention.apply(store, DATASET, List.of(inside), later, Duration.ofDays(2), false);
    assertThat(keep.delete()).isEmpty();
    assertThat(store.records(DATASET)).hasSize(3);

    // A kept base where the second one starts: the first goes, record and content.
    Manifest after = base("b2", T0.plus(Duration.ofHours(1)), b.get(0).startOffset());
    ArchiveRetention.Plan drop =
        ArchiveRetention.apply(store, DATASET, List.of(after), later, Duration.ofDays(2), false);
    assertThat(drop.delete())
        .extracting(ArchiveRetention.Deletion::id)
        .containsExactly(merged.get(0).id());
    assertThat(ids(store.records(DATASET))).containsExactly(merged.get(1).id(), merged.get(2).id());
    assertThat(listing()).hasSize(2 * 2 + 1).noneMatch(k -> k.contains(stemOf(merged.get(0))));
  }

  private static String stemOf(ArchiveStore.SegmentRecord r) {
    return ArchiveStore.stem(r);
  }

  private static Manifest base(String id, Instant at, long offset) {
    return TestManifests.builder(DATASET, id).snapshotTime(at).tiers(Tier.HOURLY).stream(
            new Manifest.StreamPosition(R1, offset, 0))
        .build();
  }
}
