package io.redisops.backup.archive;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.catalog.Manifest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Retention of a dataset's archive ({@code retention.archive}): a timeline's segments are kept as
 * long as a kept backup continues into them. A segment goes only when all of these hold:
 *
 * <ul>
 *   <li>it was sealed more than {@code retention.archive} ago;
 *   <li>it was sealed before the oldest kept backup's snapshot;
 *   <li>no kept backup needs it: on its timeline, it ends at or before the stream position of every
 *       kept backup that the timeline continues (a backup at offset X needs the segments from X
 *       on);
 *   <li>it is not the newest segment of the newest timeline (where the archiver continues).
 * </ul>
 *
 * A timeline left without segments (and not the newest) loses its {@code timeline.json} too.
 * Records are deleted before their content, so a segment is never listed without it.
 *
 * <p>A merged segment ({@link ArchiveCompactor}) is one segment here: it goes once all of it may
 * (it was sealed, as its last part was, more than {@code retention.archive} ago, and it ends before
 * every kept base's position), so retention keeps up to one compaction span more than it would of
 * the parts. Parts still listed beside their merged segment (an interrupted compaction) are removed
 * first.
 */
public final class ArchiveRetention {
  private ArchiveRetention() {}

  /**
   * One segment that retention deletes (or would, in a dry run).
   *
   * @param id the segment's id ({@code <timeline>/<start offset>})
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Deletion(
      String id, long startOffset, long endOffset, Instant sealedAt, long bytes) {}

  /**
   * What retention decides for one dataset's archive.
   *
   * @param delete the segments that go, oldest first
   * @param timelines the timelines whose {@code timeline.json} goes with their last segment
   * @param kept how many segments stay
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Plan(List<Deletion> delete, List<String> timelines, int kept) {
    public static Plan empty() {
      return new Plan(List.of(), List.of(), 0);
    }
  }

  /**
   * Decides on fixed data.
   *
   * @param timelines the archive's timelines, oldest first
   * @param records every segment record, by timeline then start offset
   * @param keptBases the backups retention keeps (the newest good one among them)
   */
  public static Plan plan(
      List<ArchiveStore.TimelineRecord> timelines,
      List<ArchiveStore.SegmentRecord> records,
      List<Manifest> keptBases,
      Instant now,
      Duration retention) {
    Instant cutoff = now.minus(retention);
    Instant oldestBase = null;
    for (Manifest m : keptBases) {
      if (m.snapshotTime() != null
          && (oldestBase == null || m.snapshotTime().isBefore(oldestBase))) {
        oldestBase = m.snapshotTime();
      }
    }
    String newestTimeline =
        timelines.isEmpty() ? null : timelines.get(timelines.size() - 1).timeline();
    List<Deletion> delete = new ArrayList<>();
    List<String> emptied = new ArrayList<>();
    int kept = 0;
    for (ArchiveStore.TimelineRecord t : timelines) {
      List<ArchiveStore.SegmentRecord> mine =
          records.stream().filter(r -> r.timeline().equals(t.timeline())).toList();
      Set<String> replids = new HashSet<>();
      replids.add(t.replid());
      long end = t.startOffset();
      for (ArchiveStore.SegmentRecord r : mine) {
        replids.add(r.replid());
        end = Math.max(end, r.endOffset());
      }
      // The smallest stream position a kept backup continues from on this timeline.
      long neededFrom = Long.MAX_VALUE;
      for (Manifest m : keptBases) {
        if (m.id().equals(t.base())) {
          neededFrom = Math.min(neededFrom, t.startOffset());
        } else if (m.stream() != null
            && replids.contains(m.stream().replid())
            && m.stream().offset() >= t.startOffset()
            && m.stream().offset() <= end) {
          neededFrom = Math.min(neededFrom, m.stream().offset());
        }
      }
      int deleted = 0;
      for (int i = 0; i < mine.size(); i++) {
        ArchiveStore.SegmentRecord r = mine.get(i);
        boolean newest = t.timeline().equals(newestTimeline) && i == mine.size() - 1;
        boolean old =
            r.sealedAt().isBefore(cutoff)
                && (oldestBase == null || r.sealedAt().isBefore(oldestBase));
        if (!newest && old && r.endOffset() <= neededFrom) {
          delete.add(
              new Deletion(r.id(), r.startOffset(), r.endOffset(), r.sealedAt(), r.storedSize()));
          deleted++;
        } else {
          kept++;
        }
      }
      if (deleted == mine.size() && !t.timeline().equals(newestTimeline)) {
        boolean oldTimeline = t.startedAt() == null || t.startedAt().isBefore(cutoff);
        if (oldTimeline && neededFrom == Long.MAX_VALUE) {
          emptied.add(t.timeline());
        }
      }
    }
    return new Plan(List.copyOf(delete), List.copyOf(emptied), kept);
  }

  /** Decides on {@code store}'s archive and, unless {@code dryRun}, deletes. */
  public static Plan apply(
      ArchiveStore store,
      String dataset,
      List<Manifest> keptBases,
      Instant now,
      Duration retention,
      boolean dryRun)
      throws IOException {
    List<ArchiveStore.TimelineRecord> timelines = new ArrayList<>();
    for (String name : store.timelines(dataset)) {
      timelines.add(store.timeline(dataset, name));
    }
    if (timelines.isEmpty()) {
      return Plan.empty();
    }
    if (!dryRun) {
      store.removeCovered(dataset);
    }
    List<ArchiveStore.SegmentRecord> records = store.records(dataset);
    Plan plan = plan(timelines, records, keptBases, now, retention);
    if (dryRun) {
      return plan;
    }
    Set<String> gone = new HashSet<>();
    plan.delete().forEach(d -> gone.add(d.id()));
    for (ArchiveStore.SegmentRecord r : records) {
      if (gone.contains(r.id())) {
        store.repository().delete(ArchiveStore.recordKey(r)); // unlisted first
        store.repository().delete(ArchiveStore.contentKey(r));
      }
    }
    for (String t : plan.timelines()) {
      store.repository().delete(ArchiveStore.timelineKey(dataset, t));
    }
    return plan;
  }
}
