package io.redisops.backup.archive;

import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compaction of a dataset's archive, so that the number of objects stays bounded: the sealed
 * segments of one {@link #SPAN} (10 minutes of receive time, counted from the epoch, so 00:00 to
 * 00:10 UTC and so on) are merged into one segment once that span is over, whose content is their
 * exact concatenation (same stream bytes, the {@code #TS} lines kept): a restore to an instant, the
 * offsets, {@code redis-check-aof} read it exactly as they read the parts.
 *
 * <p>What is merged: a run of at least two consecutive sealed segments (as the archiver sealed
 * them; a merged segment is never merged again) of one timeline that
 *
 * <ul>
 *   <li>follow each other without a hole (each starts where the one before ends) and share the
 *       replication id (a failover inside a timeline changes it: never merged across, so that a
 *       base taken on the new master is still found by its id);
 *   <li>started receiving in the same span ({@code first_received}), a span that ended at least
 *       {@code settle} ago (what the archiver still holds in memory from that span is sealed by
 *       then);
 *   <li>do not include the last segment of the timeline (the archiver may still move its {@code
 *       sealed_at} on, "touch" it, and it is where the archiver continues);
 *   <li>hold at most {@link #MAX_BYTES} of content together (a busier span gives several merged
 *       segments, so one object never grows beyond what a push uploads in seconds).
 * </ul>
 *
 * <p>Each merge writes the merged content (every part's SHA-256 checked while it is read), then its
 * record, and only then removes the parts (records first). At every moment the archive reads the
 * same: while both the merged segment and (some of) its parts are listed, the readers give the
 * merged one ({@link ArchiveStore#records}); a crash leaves parts that the next compaction (or
 * retention) removes, or a merged content without its record, which the next compaction removes.
 *
 * <p>Run it on the local archive only, one at a time per dataset (the daemon holds the dataset's
 * lock while it runs); the off-site archive follows by push: {@link ArchivePusher} uploads each
 * merged segment (encrypted when the off-site store is), then removes the parts it replaces.
 */
public final class ArchiveCompactor {
  private static final Logger log = LoggerFactory.getLogger(ArchiveCompactor.class);

  /** The receive-time span one merged segment holds at most. */
  public static final Duration SPAN = Duration.ofMinutes(10);

  /** The most content one merged segment holds. */
  public static final long MAX_BYTES = 256L * 1024 * 1024;

  private final ArchiveStore store;
  private final Duration span;
  private final long maxBytes;

  /** A compactor of {@code store} with the standard {@link #SPAN} and {@link #MAX_BYTES}. */
  public ArchiveCompactor(ArchiveStore store) {
    this(store, SPAN, MAX_BYTES);
  }

  ArchiveCompactor(ArchiveStore store, Duration span, long maxBytes) {
    if (span.isZero() || span.isNegative()) {
      throw new IllegalArgumentException("span must be positive");
    }
    this.store = store;
    this.span = span;
    this.maxBytes = maxBytes;
  }

  /**
   * What one compaction did.
   *
   * @param merged the records of the merged segments written, oldest first
   * @param partsRemoved segments removed because a merged segment holds them
   * @param leftovers objects of interrupted compactions removed
   */
  public record Result(List<ArchiveStore.SegmentRecord> merged, int partsRemoved, int leftovers) {}

  /**
   * The runs of segments to merge, oldest first (decided on the records alone).
   *
   * @param records the archive's records ({@link ArchiveStore#records}: by timeline, then offset)
   * @param now the time that decides which spans are over
   * @param settle how long after its end a span is merged
   */
  List<List<ArchiveStore.SegmentRecord>> plan(
      List<ArchiveStore.SegmentRecord> records, Instant now, Duration settle) {
    Map<String, List<ArchiveStore.SegmentRecord>> byTimeline = new LinkedHashMap<>();
    for (ArchiveStore.SegmentRecord r : records) {
      byTimeline.computeIfAbsent(r.timeline(), k -> new ArrayList<>()).add(r);
    }
    List<List<ArchiveStore.SegmentRecord>> out = new ArrayList<>();
    for (List<ArchiveStore.SegmentRecord> line : byTimeline.values()) {
      List<ArchiveStore.SegmentRecord> run = new ArrayList<>();
      long runBytes = 0;
      long runSpan = Long.MIN_VALUE;
      for (int i = 0; i < line.size() - 1; i++) { // never the last one of a timeline
        ArchiveStore.SegmentRecord r = line.get(i);
        long s = spanOf(r);
        boolean eligible =
            r.parts() == null && s != Long.MIN_VALUE && !spanEnd(s).plus(settle).isAfter(now);
        boolean continues =
            eligible
                && !run.isEmpty()
                && s == runSpan
                && r.startOffset() == run.get(run.size() - 1).endOffset()
                && r.replid().equals(run.get(0).replid())
                && runBytes + r.rawSize() <= maxBytes;
        if (!continues) {
          if (run.size() >= 2) {
            out.add(List.copyOf(run));
          }
          run = new ArrayList<>();
          runBytes = 0;
          runSpan = Long.MIN_VALUE;
          if (!eligible) {
            continue;
          }
          runSpan = s;
        }
        run.add(r);
        runBytes += r.rawSize();
      }
      if (run.size() >= 2) {
        out.add(List.copyOf(run));
      }
    }
    return out;
  }

  private long spanOf(ArchiveStore.SegmentRecord r) {
    if (r.firstReceived() == null) {
      return Long.MIN_VALUE;
    }
    return Math.floorDiv(r.firstReceived().toEpochMilli(), span.toMillis());
  }

  private Instant spanEnd(long s) {
    return Instant.ofEpochMilli((s + 1) * span.toMillis());
  }

  /**
   * Compacts the dataset's archive: removes what interrupted compactions left, then merges every
   * run {@link #plan} finds, each merged segment written whole before its parts go.
   *
   * @param settle how long after a span's end its segments are merged (at least the seal period)
   */
  public Result compact(String dataset, Instant now, Duration settle) throws IOException {
    int leftovers = store.removeOrphanMerged(dataset) + store.removeCovered(dataset);
    List<ArchiveStore.SegmentRecord> merged = new ArrayList<>();
    int removed = 0;
    for (List<ArchiveStore.SegmentRecord> run : plan(store.records(dataset), now, settle)) {
      ArchiveStore.SegmentRecord m;
      try {
        m = store.writeMerged(run);
      } catch (RedisOpsException e) {
        // a damaged part: leave the run as it is (restore reports it), merge the others
        log.error(
            "segments {} to {} of {}'s archive not merged: {}",
            run.get(0).id(),
            run.get(run.size() - 1).id(),
            dataset,
            e.getMessage());
        continue;
      }
      merged.add(m);
      for (ArchiveStore.SegmentRecord p : run) {
        store.repository().delete(ArchiveStore.recordKey(p)); // unlisted first
      }
      for (ArchiveStore.SegmentRecord p : run) {
        store.repository().delete(ArchiveStore.contentKey(p));
        removed++;
      }
    }
    if (!merged.isEmpty()) {
      log.info(
          "compacted {}'s archive: {} segment(s) merged into {}", dataset, removed, merged.size());
    }
    return new Result(List.copyOf(merged), removed, leftovers);
  }
}
