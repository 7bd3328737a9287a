package io.redisops.recovery.pitr;

import io.redisops.backup.archive.ArchiveStore;
import io.redisops.backup.archive.Segment;
import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the archive covers an instant, and with which base: the newest backup taken at or before
 * the instant whose stream position lies inside an archived timeline (a segment of the same
 * replication id with {@code startOffset <= offset <= endOffset}), from which that timeline's
 * segments go on without a gap up to one sealed at or after the instant ({@link
 * CutRule#coveredUntil}).
 *
 * <p>Offsets: a manifest's {@code stream.offset} is the RDB's {@code repl-offset}, which Redis
 * writes from {@code server.master_repl_offset} (src/rdb.c, {@code rdbSaveInfoAuxFields}): the
 * number of stream bytes the snapshot includes. Redis numbers the bytes from 1 (the backlog's first
 * byte has {@code master_repl_offset + 1}, src/replication.c), so a replica that holds that
 * snapshot asks {@code PSYNC <replid> <repl-offset + 1>}. The archive counts the other way, like a
 * replica's own {@code reploff}: a segment's {@code startOffset} is the number of stream bytes
 * before its first byte, the value of {@code +FULLRESYNC <replid> <offset>} or the PSYNC offset
 * minus one. In those terms the base's {@code repl-offset} is exactly the stream offset where its
 * continuation starts, which is why it is compared with {@code startOffset}/{@code endOffset}
 * directly.
 *
 * <p>Compacted archives read the same: a merged segment ({@link
 * io.redisops.backup.archive.ArchiveCompactor}) is one segment whose range holds its parts', and a
 * part still listed beside it is ignored.
 */
public final class ArchiveSelection {
  private ArchiveSelection() {}

  /**
   * The outcome: covered (base and the segments from the one holding the base's position to the
   * first sealed at or after the instant), or not, with the reason in words.
   */
  public record Choice(Manifest base, List<Segment> segments, String notCovered) {
    public boolean covered() {
      return base != null;
    }

    static Choice no(String why) {
      return new Choice(null, List.of(), why);
    }
  }

  /**
   * @param backups complete backups of the dataset, any order
   * @param segments the dataset's sealed segments, any order
   * @param at the instant (as {@link io.redisops.recovery.select.RestoreTime} gives it)
   */
  public static Choice choose(List<Manifest> backups, List<Segment> segments, Instant at) {
    if (segments.isEmpty()) {
      return Choice.no("the archive holds no segment of the dataset");
    }
    Instant needed = CutRule.coveredUntil(at);
    Map<String, List<Segment>> timelines = new LinkedHashMap<>();
    // A merged segment and (some of) its parts may both be listed (a compaction interrupted
    // between them): the widest is read, the stream is the same.
    ArchiveStore.uncovered(segments, Segment::timeline, Segment::startOffset, Segment::endOffset)
        .forEach(s -> timelines.computeIfAbsent(s.timeline(), k -> new ArrayList<>()).add(s));
    List<Manifest> candidates =
        backups.stream()
            .sorted(BackupCatalog.NEWEST_FIRST)
            .filter(m -> !m.snapshotTime().isAfter(at))
            .toList();
    if (candidates.isEmpty()) {
      return Choice.no("no backup was taken at or before that time to start the archive from");
    }
    String firstReason = null;
    for (Manifest m : candidates) {
      String why = null;
      Manifest.StreamPosition p = m.stream();
      if (p == null) {
        why = "backup " + m.id() + " does not record its replication stream position";
      } else {
        for (List<Segment> line : timelines.values()) {
          int i = indexHolding(line, p);
          if (i < 0) {
            continue;
          }
          List<Segment> chain = new ArrayList<>();
          String gap = null;
          for (int j = i; j < line.size(); j++) {
            Segment s = line.get(j);
            if (j > i && s.startOffset() != line.get(j - 1).endOffset()) {
              gap =
                  "timeline "
                      + s.timeline()
                      + " has a gap after segment "
                      + line.get(j - 1).id()
                      + " (offset "
                      + line.get(j - 1).endOffset()
                      + " to "
                      + s.startOffset()
                      + ")";
              break;
            }
            chain.add(s);
            if (!s.sealedAt().isBefore(needed)) {
              return new Choice(m, List.copyOf(chain), null);
            }
          }
          why =
              gap != null
                  ? gap
                  : "the archive continuing backup "
                      + m.id()
                      + " is sealed up to "
                      + chain.get(chain.size() - 1).sealedAt()
                      + ", not to the end of "
                      + Instant.ofEpochSecond(CutRule.lastSecond(at))
                      + " (--at now restores all it holds)";
          break;
        }
        if (why == null) {
          why =
              "no archived segment continues backup "
                  + m.id()
                  + " (replication id "
                  + p.replid()
                  + ", offset "
                  + p.offset()
                  + ")";
        }
      }
      if (firstReason == null) {
        firstReason = why;
      }
    }
    return Choice.no(withSeal(firstReason, segments));
  }

  /**
   * The archive's end ({@code restore --at now}): the newest timeline (the one sealed last) with
   * the newest backup whose stream position lies inside it and from which it goes on without a gap
   * to its last segment, all of which is applied. Not covered (the newest backup alone is then
   * restored) when that timeline continues no backup here (its base not in this repository: not
   * pushed off-site yet, or pruned), or when a backup was taken after the archive's end (it holds
   * newer data than the archive).
   *
   * @param backups complete backups of the dataset, any order
   * @param segments the dataset's sealed segments, any order
   */
  public static Choice toEnd(List<Manifest> backups, List<Segment> segments) {
    if (segments.isEmpty()) {
      return Choice.no("the archive holds no segment of the dataset");
    }
    Map<String, List<Segment>> timelines = new LinkedHashMap<>();
    segments.stream()
        .sorted(Comparator.comparing(Segment::timeline).thenComparingLong(Segment::startOffset))
        .forEach(s -> timelines.computeIfAbsent(s.timeline(), k -> new ArrayList<>()).add(s));
    List<Segment> line =
        timelines.values().stream()
            .max(
                Comparator.comparing((List<Segment> l) -> l.get(l.size() - 1).sealedAt())
                    .thenComparing(l -> l.get(0).timeline()))
            .orElseThrow();
    Segment last = line.get(line.size() - 1);
    List<Manifest> newestFirst = backups.stream().sorted(BackupCatalog.NEWEST_FIRST).toList();
    if (!newestFirst.isEmpty() && newestFirst.get(0).snapshotTime().isAfter(last.sealedAt())) {
      Manifest newer = newestFirst.get(0);
      return Choice.no(
          "backup "
              + newer.id()
              + " (snapshot "
              + newer.snapshotTime()
              + ") is newer than the end of the archive (sealed up to "
              + last.sealedAt()
              + ")");
    }
    String firstReason = null;
    for (Manifest m : newestFirst) {
      Manifest.StreamPosition p = m.stream();
      int i = p == null ? -1 : indexHolding(line, p);
      if (i < 0) {
        continue;
      }
      for (int j = i + 1; j < line.size() && firstReason == null; j++) {
        if (line.get(j).startOffset() != line.get(j - 1).endOffset()) {
          firstReason =
              "timeline "
                  + last.timeline()
                  + " has a gap after segment "
                  + line.get(j - 1).id()
                  + " (offset "
                  + line.get(j - 1).endOffset()
                  + " to "
                  + line.get(j).startOffset()
                  + ")";
        }
      }
      if (firstReason != null) {
        break;
      }
      return new Choice(m, List.copyOf(line.subList(i, line.size())), null);
    }
    if (firstReason == null) {
      firstReason =
          "the newest archived timeline, "
              + last.timeline()
              + " (replication id "
              + line.get(0).replid()
              + " from offset "
              + line.get(0).startOffset()
              + "), continues none of the dataset's backups: the backup it starts from is missing"
              + " (not pushed off-site yet, or pruned); an earlier --at may use an older timeline";
    }
    return Choice.no(withSeal(firstReason, segments));
  }

  /**
   * The last second whose commands a restore to the archive's end applies: the latest receive or
   * seal time in the chain, so that a cut at it keeps every command of the chain.
   */
  public static long endSecond(List<Segment> chain) {
    return chain.stream()
        .flatMap(s -> java.util.stream.Stream.of(s.firstReceived(), s.lastReceived(), s.sealedAt()))
        .filter(java.util.Objects::nonNull)
        .mapToLong(Instant::getEpochSecond)
        .max()
        .orElseThrow();
  }

  /** A reason, with how far the archive is sealed when the reason does not say so already. */
  private static String withSeal(String why, List<Segment> segments) {
    Instant until = sealedUntil(segments);
    return until == null || why.contains("sealed up to")
        ? why
        : why + " (the archive is sealed up to " + until + ")";
  }

  private static int indexHolding(List<Segment> line, Manifest.StreamPosition p) {
    for (int i = 0; i < line.size(); i++) {
      Segment s = line.get(i);
      if (s.replid().equals(p.replid())
          && s.startOffset() <= p.offset()
          && p.offset() <= s.endOffset()) {
        return i;
      }
    }
    return -1;
  }

  /** The latest instant the archive covers on any timeline, or null (for the fallback message). */
  public static Instant sealedUntil(List<Segment> segments) {
    return segments.stream().map(Segment::sealedAt).max(Comparator.naturalOrder()).orElse(null);
  }
}
