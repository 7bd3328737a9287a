package io.redisops.backup.archive;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a dataset's archive covers: one range per timeline (from, to, the backups whose snapshot it
 * continues, the gap before it). A restore to an instant inside a range, from one of its bases, is
 * possible.
 */
public final class ArchiveCoverage {
  private ArchiveCoverage() {}

  /**
   * One timeline's coverage.
   *
   * @param timeline its name
   * @param fromOffset the stream position it starts at
   * @param toOffset the position its newest segment ends at
   * @param from when it started (its first byte's receive time; the start time when it has none)
   * @param to up to when it holds everything the master sent (its newest segment's {@code
   *     sealed_at}); null before its first segment
   * @param segments how many sealed segments it has
   * @param bytes their content bytes
   * @param bases backups it continues: its own base (a full resynchronisation's, or the backup it
   *     started from) and every backup whose stream position falls inside it
   * @param gapBefore why the timeline before it ends, null when none
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Range(
      String timeline,
      long fromOffset,
      long toOffset,
      Instant from,
      Instant to,
      int segments,
      long bytes,
      List<String> bases,
      ArchiveStore.Gap gapBefore) {}

  /** The ranges of the dataset's archive, oldest first (empty: no archive). */
  public static List<Range> of(ArchiveStore store, BackupCatalog catalog, String dataset)
      throws IOException {
    List<ArchiveStore.SegmentRecord> records = store.records(dataset);
    List<Manifest> backups = catalog.list();
    List<Range> out = new ArrayList<>();
    for (String name : store.timelines(dataset)) {
      ArchiveStore.TimelineRecord t = store.timeline(dataset, name);
      List<ArchiveStore.SegmentRecord> mine =
          records.stream().filter(r -> r.timeline().equals(name)).toList();
      long to = t.startOffset();
      Instant from = t.startedAt();
      Instant sealed = null;
      long bytes = 0;
      Set<String> replids = new HashSet<>();
      replids.add(t.replid());
      for (ArchiveStore.SegmentRecord r : mine) {
        to = Math.max(to, r.endOffset());
        sealed = r.sealedAt();
        bytes += r.rawSize();
        replids.add(r.replid());
      }
      if (!mine.isEmpty() && mine.get(0).firstReceived() != null) {
        from = mine.get(0).firstReceived();
      }
      List<String> bases = new ArrayList<>();
      if (t.base() != null) {
        bases.add(t.base());
      }
      for (Manifest m : backups) {
        if (m.stream() != null
            && !bases.contains(m.id())
            && replids.contains(m.stream().replid())
            && m.stream().offset() >= t.startOffset()
            && m.stream().offset() <= to) {
          bases.add(m.id());
        }
      }
      out.add(
          new Range(
              name,
              t.startOffset(),
              to,
              from,
              sealed,
              mine.size(),
              bytes,
              List.copyOf(bases),
              t.gap()));
    }
    return out;
  }
}
