package io.redisops.backup.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.codec.Compression;
import io.redisops.storage.ForwardingRepository;
import io.redisops.storage.LocalRepository;
import io.redisops.storage.Repository;
import io.redisops.storage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ArchiveSummary} over archives written by {@link ArchiveStore}: what it says (timelines,
 * gaps, from, to, lag, off-site lag), and what it reads (a listing alone without an archive; each
 * timeline's record and one segment record with one, never every segment).
 */
class ArchiveSummaryTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final String A = "a".repeat(40);
  private static final String B = "b".repeat(40);
  private static final byte[] PING =
      "#TS:1796112000\r\n*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path tmp;

  /** Records what is read and listed. */
  static final class Counting extends ForwardingRepository {
    final List<String> reads = new ArrayList<>();
    final List<String> lists = new ArrayList<>();

    Counting(Repository delegate) {
      super(delegate);
    }

    @Override
    public InputStream read(String key) throws IOException {
      reads.add(key);
      return delegate().read(key);
    }

    @Override
    public List<StoredObject> list(String prefix) throws IOException {
      lists.add(prefix);
      return delegate().list(prefix);
    }

    @Override
    public List<String> folders(String prefix) throws IOException {
      lists.add(prefix + " (folders)");
      return delegate().folders(prefix);
    }
  }

  private static Clock at(Instant t) {
    return Clock.fixed(t, ZoneOffset.UTC);
  }

  /** Seals {@code n} 14-byte segments from {@code offset} on, one second apart from {@code t}. */
  private static void seal(
      ArchiveStore s, String timeline, String replid, long offset, Instant t, int n)
      throws IOException {
    for (int i = 0; i < n; i++) {
      long start = offset + 14L * i;
      Instant at = t.plusSeconds(i);
      s.seal(
          "ds",
          timeline,
          replid,
          start,
          start + 14,
          0,
          0,
          at,
          at,
          at.plusSeconds(1),
          PING,
          PING.length);
    }
  }

  @Test
  void aDatasetWithoutAnArchiveCostsOneListing() {
    Counting repo = new Counting(new LocalRepository(tmp.resolve("repo")));
    ArchiveSummary.Place p =
        new ArchiveSummary(at(T0)).place(new ArchiveStore(repo, Compression.ZSTD), "ds", null);

    assertThat(p.archived()).isFalse();
    assertThat(p.error()).isNull();
    assertThat(p.to()).isNull();
    assertThat(repo.reads).isEmpty();
    assertThat(repo.lists).hasSize(1);
  }

  @Test
  void timelinesGapsCoverageAndLagFromTheRecordsItNeedsOnly() throws Exception {
    Counting repo = new Counting(new LocalRepository(tmp.resolve("repo")));
    ArchiveStore store = new ArchiveStore(repo, Compression.ZSTD);
    ArchiveStore.TimelineRecord first =
        store.startTimeline("ds", A, 100, 0, T0, "base1", null, null);
    seal(store, first.timeline(), A, 100, T0, 5);
    Instant t1 = T0.plusSeconds(3600);
    ArchiveStore.TimelineRecord second =
        store.startTimeline(
            "ds",
            B,
            9000,
            0,
            t1,
            "base2",
            first.timeline(),
            new ArchiveStore.Gap(A, 170, T0.plusSeconds(5), "a full resynchronisation"));
    seal(store, second.timeline(), B, 9000, t1, 3);
    repo.reads.clear();
    repo.lists.clear();

    Instant now = t1.plusSeconds(3 + 10);
    ArchiveSummary summary = new ArchiveSummary(at(now));
    ArchiveSummary.Place p = summary.place(store, "ds", null);

    assertThat(p.archived()).isTrue();
    assertThat(p.error()).isNull();
    assertThat(p.timelines()).isEqualTo(2);
    assertThat(p.gaps()).isEqualTo(1);
    assertThat(p.newestTimeline()).isEqualTo(second.timeline());
    assertThat(p.from()).isEqualTo(T0);
    assertThat(p.to()).isEqualTo(t1.plusSeconds(3)); // the newest segment's sealed_at
    assertThat(p.lagSeconds()).isEqualTo(10);
    // the two timeline records (each opened twice: found, then read) and the newest segment
    // record: not the 8 segment records
    assertThat(repo.reads).hasSize(5);
    assertThat(repo.reads.stream().filter(k -> k.endsWith("/timeline.json"))).hasSize(4);
    assertThat(repo.lists.stream().filter(l -> !l.endsWith("(folders)"))).hasSize(1);

    // an oldest backup after the oldest timeline's start is where a restore can begin
    assertThat(summary.place(store, "ds", T0.plusSeconds(60)).from()).isEqualTo(T0.plusSeconds(60));
    assertThat(summary.place(store, "ds", T0.minusSeconds(60)).from()).isEqualTo(T0);
  }

  @Test
  void theOffsiteLagIsTheLocalEndMinusTheOffsiteEnd() throws Exception {
    ArchiveStore local =
        new ArchiveStore(new LocalRepository(tmp.resolve("local")), Compression.ZSTD);
    ArchiveStore remote =
        new ArchiveStore(new LocalRepository(tmp.resolve("remote")), Compression.ZSTD);
    ArchiveStore.TimelineRecord t = local.startTimeline("ds", A, 100, 0, T0, null, null, null);
    seal(local, t.timeline(), A, 100, T0, 10);
    Instant now = T0.plusSeconds(20);
    ArchiveSummary summary = new ArchiveSummary(at(now));
    ArchiveSummary.Place l = summary.place(local, "ds", null);

    // nothing off-site yet: behind by the local end's age, as the daemon's metric
    ArchiveSummary.DatasetArchive nothing =
        summary.dataset("ds", true, l, summary.place(remote, "ds", null));
    assertThat(nothing.offsite().archived()).isFalse();
    assertThat(nothing.offsiteLagSeconds()).isEqualTo(10);

    ArchiveStore.TimelineRecord r = remote.startTimeline("ds", A, 100, 0, T0, null, null, null);
    seal(remote, r.timeline(), A, 100, T0, 7);
    ArchiveSummary.DatasetArchive behind =
        summary.dataset("ds", true, l, summary.place(remote, "ds", null));
    assertThat(behind.offsite().to()).isEqualTo(T0.plusSeconds(7));
    assertThat(behind.offsiteLagSeconds()).isEqualTo(3);
    assertThat(behind.shown()).isTrue();

    // without an off-site place there is no off-site lag; nothing archived and not enabled: not
    // shown
    assertThat(summary.dataset("ds", false, l, null).offsiteLagSeconds()).isNull();
    ArchiveSummary.Place none = summary.place(remote, "other", null);
    assertThat(summary.dataset("other", false, none, null).shown()).isFalse();
  }

  @Test
  void aDamagedTimelineRecordIsReportedNotThrown() throws Exception {
    LocalRepository repo = new LocalRepository(tmp.resolve("repo"));
    ArchiveStore store = new ArchiveStore(repo, Compression.ZSTD);
    ArchiveStore.TimelineRecord t = store.startTimeline("ds", A, 100, 0, T0, null, null, null);
    Files.writeString(
        tmp.resolve("repo").resolve("_archive/ds/" + t.timeline() + "/timeline.json"), "{not json");

    ArchiveSummary.Place p = new ArchiveSummary(at(T0)).place(store, "ds", null);

    assertThat(p.archived()).isFalse();
    assertThat(p.error()).isNotBlank();
  }
}
