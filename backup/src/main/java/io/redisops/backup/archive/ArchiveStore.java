package io.redisops.backup.archive;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.ManifestCodec;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.crypto.ObjectEncryption;
import io.redisops.backup.io.CountingDigestOutputStream;
import io.redisops.error.RedisOpsException;
import io.redisops.storage.Repository;
import io.redisops.storage.StoredObject;
import io.redisops.text.Hex;
import io.redisops.time.TimeFormats;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A dataset's archive in one repository, and the {@link ArchiveReader} over it.
 *
 * <p>Layout: {@code _archive/<dataset>/<timeline>/timeline.json} describes where a timeline starts
 * (the base it continues, or the gap before it); each sealed segment is two objects, its content
 * {@code <start offset, 19 digits>.aof[.zst|.gz]} written first and its record {@code <start
 * offset>.json} written last. A segment exists exactly when its record does (as a backup exists
 * when its manifest does): after a crash at any moment, no segment is partly listed, and a content
 * object without a record is a leftover that {@link #cleanupIncomplete} removes. The {@code
 * _archive} folder cannot be mistaken for a dataset (a dataset name never starts with {@code _}),
 * and backups' clean-ups never touch it.
 *
 * <p>Compaction ({@link ArchiveCompactor}) merges consecutive segments into one whose content is
 * their exact concatenation, stored as {@code <start>-<end>.aof[.zst]} with its record {@code
 * <start>-<end>.json} (its {@code parts} says how many it holds), written in that order before the
 * parts are removed. While both are listed (a crash in between), the readers ({@link #records},
 * {@link #segments}) give the widest: a segment whose range lies inside another's of the same
 * timeline is left out, so the stream read is the same whichever of them are still there; {@link
 * #removeCovered} removes such parts later.
 */
public final class ArchiveStore implements ArchiveReader {
  /** The top folder of every dataset's archive in a repository. */
  public static final String ROOT = "_archive";

  static final String TIMELINE_FILE = "timeline.json";
  static final int FORMAT_VERSION = 1;

  private final Repository repository;
  private final Compression compression;
  private final ObjectEncryption encryption;

  /** A store whose segments are not encrypted (the local repository). */
  public ArchiveStore(Repository repository, Compression compression) {
    this(repository, compression, ObjectEncryption.none());
  }

  /**
   * A store that reads encrypted segments with {@code encryption}'s key (the off-site repository:
   * {@link io.redisops.backup.service.Offsite#archive()}); segments pushed to it are encrypted with
   * that key by {@link ArchivePusher}.
   */
  public ArchiveStore(Repository repository, Compression compression, ObjectEncryption encryption) {
    this.repository = repository;
    this.compression = compression;
    this.encryption = encryption;
  }

  public ObjectEncryption encryption() {
    return encryption;
  }

  public Repository repository() {
    return repository;
  }

  /**
   * What a segment's record holds: the {@link Segment} and how its content is stored.
   *
   * @param endDb the database selected at {@code endOffset}
   * @param storedSha256 SHA-256 of the compressed content (before encryption)
   * @param encryption how the content object is encrypted ({@code aes-256-gcm-stream}), null when
   *     it is not (local segments; off-site ones without {@code offsite.encryption-key-file})
   * @param encryptionKeyId the fingerprint of the key it is encrypted with, null when not
   * @param parts how many sealed segments a merged segment was made of ({@link ArchiveCompactor}),
   *     null for a segment as the archiver sealed it
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SegmentRecord(
      int formatVersion,
      String dataset,
      String id,
      String timeline,
      String replid,
      long startOffset,
      long endOffset,
      int startDb,
      int endDb,
      Instant firstReceived,
      Instant lastReceived,
      Instant sealedAt,
      long rawSize,
      String sha256Raw,
      String object,
      String compression,
      long storedSize,
      String storedSha256,
      String encryption,
      String encryptionKeyId,
      Integer parts) {

    /** A sealed segment's record (not a merged one). */
    public SegmentRecord(
        int formatVersion,
        String dataset,
        String id,
        String timeline,
        String replid,
        long startOffset,
        long endOffset,
        int startDb,
        int endDb,
        Instant firstReceived,
        Instant lastReceived,
        Instant sealedAt,
        long rawSize,
        String sha256Raw,
        String object,
        String compression,
        long storedSize,
        String storedSha256,
        String encryption,
        String encryptionKeyId) {
      this(
          formatVersion,
          dataset,
          id,
          timeline,
          replid,
          startOffset,
          endOffset,
          startDb,
          endDb,
          firstReceived,
          lastReceived,
          sealedAt,
          rawSize,
          sha256Raw,
          object,
          compression,
          storedSize,
          storedSha256,
          encryption,
          encryptionKeyId,
          null);
    }

    /** True for a segment merged by compaction ({@link ArchiveCompactor}) from sealed ones. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean merged() {
      return parts != null && parts > 1;
    }

    /** The same record with another {@code sealed_at}. */
    public SegmentRecord withSealedAt(Instant at) {
      return new SegmentRecord(
          formatVersion,
          dataset,
          id,
          timeline,
          replid,
          startOffset,
          endOffset,
          startDb,
          endDb,
          firstReceived,
          lastReceived,
          at,
          rawSize,
          sha256Raw,
          object,
          compression,
          storedSize,
          storedSha256,
          encryption,
          encryptionKeyId,
          parts);
    }

    /** The record of this segment's content stored encrypted as {@code object}. */
    SegmentRecord encryptedAs(String encryptedObject, String algorithm, String keyId) {
      return new SegmentRecord(
          formatVersion,
          dataset,
          id,
          timeline,
          replid,
          startOffset,
          endOffset,
          startDb,
          endDb,
          firstReceived,
          lastReceived,
          sealedAt,
          rawSize,
          sha256Raw,
          encryptedObject,
          compression,
          storedSize,
          storedSha256,
          algorithm,
          keyId,
          parts);
    }

    public Segment segment() {
      return new Segment(
          dataset,
          id,
          timeline,
          replid,
          startOffset,
          endOffset,
          startDb,
          firstReceived,
          lastReceived,
          sealedAt,
          rawSize,
          sha256Raw);
    }
  }

  /**
   * Where a timeline starts.
   *
   * @param replid the master's replication id at {@code startOffset}
   * @param startOffset the stream position the timeline starts at (a base snapshot's offset)
   * @param startDb the database selected there, -1 when unknown
   * @param base the backup whose snapshot the timeline continues (a full resynchronisation's base,
   *     or the backup the archive started from), null when none
   * @param after the timeline before it, null for the first
   * @param gap why the timeline before it could not be continued, null when there was none
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TimelineRecord(
      int formatVersion,
      String dataset,
      String timeline,
      String replid,
      long startOffset,
      int startDb,
      Instant startedAt,
      String base,
      String after,
      Gap gap) {}

  /**
   * A break in the archive: the stream from {@code fromOffset} of {@code fromReplid} was not
   * received.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Gap(String fromReplid, long fromOffset, Instant lastSealed, String reason) {}

  /** Where the archive stands: what to PSYNC from. */
  public record Position(String timeline, String replid, long offset, int db) {}

  static String datasetPrefix(String dataset) {
    return ROOT + "/" + BackupCatalog.checkDataset(dataset) + "/";
  }

  static String padded(long offset) {
    return String.format("%019d", offset);
  }

  /** Starts a timeline (its record written durably); returns its name. */
  public TimelineRecord startTimeline(
      String dataset,
      String replid,
      long startOffset,
      int startDb,
      Instant at,
      String base,
      String after,
      Gap gap)
      throws IOException {
    Set<String> existing = new HashSet<>(timelines(dataset));
    String name = TimeFormats.STAMP.format(at);
    for (int i = 2; existing.contains(name); i++) {
      name = TimeFormats.STAMP.format(at) + "-" + i;
    }
    TimelineRecord t =
        new TimelineRecord(
            FORMAT_VERSION, dataset, name, replid, startOffset, startDb, at, base, after, gap);
    byte[] json = ManifestCodec.mapper().writeValueAsBytes(t);
    repository.write(datasetPrefix(dataset) + name + "/" + TIMELINE_FILE, out -> out.write(json));
    return t;
  }

  /** Timeline names of the dataset, oldest first. */
  public List<String> timelines(String dataset) throws IOException {
    List<String> out = new ArrayList<>();
    String prefix = datasetPrefix(dataset);
    // one level of folders, not a listing of every segment (status, info and list ask this)
    for (String name : repository.folders(prefix)) {
      try {
        repository.read(prefix + name + "/" + TIMELINE_FILE).close();
        out.add(name); // a timeline is a folder with its timeline.json
      } catch (java.nio.file.NoSuchFileException e) {
        // segments left without their timeline file are no timeline (retention removes them)
      }
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /** The record of a timeline. */
  public TimelineRecord timeline(String dataset, String name) throws IOException {
    try (InputStream in = repository.read(datasetPrefix(dataset) + name + "/" + TIMELINE_FILE)) {
      return ManifestCodec.mapper().readValue(in, TimelineRecord.class);
    }
  }

  /**
   * Seals a segment: content first (atomic, durable), its record last. Returns the record once both
   * are durable.
   */
  public SegmentRecord seal(
      String dataset,
      String timeline,
      String replid,
      long startOffset,
      long endOffset,
      int startDb,
      int endDb,
      Instant firstReceived,
      Instant lastReceived,
      Instant sealedAt,
      byte[] content,
      int length)
      throws IOException {
    String base = datasetPrefix(dataset) + timeline + "/" + padded(startOffset);
    String object = padded(startOffset) + ".aof" + compression.suffix();
    MessageDigest raw = Hex.sha256();
    raw.update(content, 0, length);
    String rawSha = Hex.of(raw.digest());
    CountingDigestOutputStream[] stored = new CountingDigestOutputStream[1];
    repository.write(
        datasetPrefix(dataset) + timeline + "/" + object,
        out -> {
          stored[0] = new CountingDigestOutputStream(out, Hex.sha256());
          OutputStream c = compression.compress(stored[0]);
          c.write(content, 0, length);
          c.close(); // ends the frame; the repository's stream ignores the close
        });
    SegmentRecord r =
        new SegmentRecord(
            FORMAT_VERSION,
            dataset,
            timeline + "/" + padded(startOffset),
            timeline,
            replid,
            startOffset,
            endOffset,
            startDb,
            endDb,
            firstReceived,
            lastReceived,
            sealedAt,
            length,
            rawSha,
            object,
            compression.id(),
            stored[0].count(),
            stored[0].hex(),
            null,
            null);
    writeRecord(base + ".json", r);
    return r;
  }

  /**
   * Moves a sealed segment's {@code sealed_at} on (nothing new arrived since it was sealed): the
   * record is rewritten atomically.
   */
  public SegmentRecord touch(SegmentRecord r, Instant sealedAt) throws IOException {
    SegmentRecord moved = r.withSealedAt(sealedAt);
    writeRecord(recordKey(moved), moved);
    return moved;
  }

  /**
   * The name a segment's objects start with: {@code <start>} for a sealed segment, {@code
   * <start>-<end>} for a merged one.
   */
  static String stem(SegmentRecord r) {
    return r.merged()
        ? padded(r.startOffset()) + "-" + padded(r.endOffset())
        : padded(r.startOffset());
  }

  /** The key of a segment's record. */
  static String recordKey(SegmentRecord r) {
    return datasetPrefix(r.dataset()) + r.timeline() + "/" + stem(r) + ".json";
  }

  /** The key of a segment's content object. */
  static String contentKey(SegmentRecord r) {
    checkObject(r, datasetPrefix(r.dataset()) + r.timeline() + "/" + stem(r));
    return datasetPrefix(r.dataset()) + r.timeline() + "/" + r.object();
  }

  /**
   * The range an object name of a timeline folder stands for: {@code <start>.*} (a sealed segment:
   * its end is not in the name) or {@code <start>-<end>.*} (a merged one). Null for other names.
   */
  record Stem(String text, long start, long end) {
    boolean merged() {
      return end >= 0;
    }

    static Stem of(String name) {
      int dot = name.indexOf('.');
      String t = dot < 0 ? name : name.substring(0, dot);
      if (t.length() == 19 && digits(t)) {
        return new Stem(t, Long.parseLong(t), -1);
      }
      if (t.length() == 39
          && t.charAt(19) == '-'
          && digits(t.substring(0, 19))
          && digits(t.substring(20))) {
        return new Stem(t, Long.parseLong(t.substring(0, 19)), Long.parseLong(t.substring(20)));
      }
      return null;
    }

    private static boolean digits(String t) {
      for (int i = 0; i < t.length(); i++) {
        if (t.charAt(i) < '0' || t.charAt(i) > '9') {
          return false;
        }
      }
      return !t.isEmpty();
    }
  }

  static String timelineKey(String dataset, String timeline) {
    return datasetPrefix(dataset) + timeline + "/" + TIMELINE_FILE;
  }

  private static void checkObject(SegmentRecord r, String key) {
    if (r.object() == null || r.object().contains("/") || r.object().startsWith(".")) {
      throw RedisOpsException.integrity(
          "the archive's segment record " + key + ".json names no valid content object");
    }
  }

  /** Writes a segment's record (atomically): from then on the segment is listed. */
  void writeRecord(SegmentRecord r) throws IOException {
    writeRecord(recordKey(r), r);
  }

  private void writeRecord(String key, SegmentRecord r) throws IOException {
    byte[] json = ManifestCodec.mapper().writeValueAsBytes(r);
    repository.write(key, out -> out.write(json));
  }

  /**
   * Every segment's record, ordered by timeline then start offset; a segment lying inside a wider
   * one of the same timeline (a part of a merged segment not removed yet) is left out.
   */
  public List<SegmentRecord> records(String dataset) throws IOException {
    return uncovered(
        allRecords(dataset),
        SegmentRecord::timeline,
        SegmentRecord::startOffset,
        SegmentRecord::endOffset);
  }

  /**
   * {@code items} without those whose range lies inside another's of the same timeline (the widest
   * wins; of two equal ranges the first listed), ordered by timeline, then start offset.
   */
  public static <T> List<T> uncovered(
      List<T> items,
      java.util.function.Function<T, String> timeline,
      java.util.function.ToLongFunction<T> start,
      java.util.function.ToLongFunction<T> end) {
    List<T> sorted = new ArrayList<>(items);
    sorted.sort(
        Comparator.comparing(timeline)
            .thenComparingLong(start)
            .thenComparing(Comparator.comparingLong(end).reversed()));
    List<T> out = new ArrayList<>(sorted.size());
    String line = null;
    long reach = Long.MIN_VALUE; // the furthest end of the segments kept on this timeline
    for (T t : sorted) {
      if (!timeline.apply(t).equals(line)) {
        line = timeline.apply(t);
        reach = Long.MIN_VALUE;
      }
      // sorted by start: a kept one starts at or before t; the one reaching furthest covers t
      if (end.applyAsLong(t) <= reach) {
        continue;
      }
      out.add(t);
      reach = Math.max(reach, end.applyAsLong(t));
    }
    return out;
  }

  /** Every record listed, merged segments' parts not yet removed included. */
  List<SegmentRecord> allRecords(String dataset) throws IOException {
    String prefix = datasetPrefix(dataset);
    List<SegmentRecord> out = new ArrayList<>();
    for (StoredObject o : repository.list(prefix)) {
      String name = o.name();
      if (!name.endsWith(".json") || name.equals(TIMELINE_FILE)) {
        continue;
      }
      try (InputStream in = repository.read(o.key())) {
        out.add(ManifestCodec.mapper().readValue(in, SegmentRecord.class));
      } catch (NoSuchFileException e) {
        // deleted by retention meanwhile
      } catch (com.fasterxml.jackson.core.JacksonException e) {
        throw RedisOpsException.integrity(
            "the archive's segment record " + o.key() + " is damaged: " + e.getOriginalMessage());
      }
    }
    out.sort(
        Comparator.comparing(SegmentRecord::timeline)
            .thenComparingLong(SegmentRecord::startOffset));
    return out;
  }

  @Override
  public List<Segment> segments(String dataset) throws IOException {
    return records(dataset).stream().map(SegmentRecord::segment).toList();
  }

  /** One segment record by its key. */
  SegmentRecord readRecord(String key) throws IOException {
    try (InputStream in = repository.read(key)) {
      return ManifestCodec.mapper().readValue(in, SegmentRecord.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw RedisOpsException.integrity(
          "the archive's segment record " + key + " is damaged: " + e.getOriginalMessage());
    }
  }

  /** The last segment of a timeline, if it has one. */
  public Optional<SegmentRecord> lastOf(String dataset, String timeline) throws IOException {
    String prefix = datasetPrefix(dataset) + timeline + "/";
    List<StoredObject> objects = repository.list(prefix);
    for (int i = objects.size() - 1; i >= 0; i--) {
      StoredObject o = objects.get(i);
      if (o.name().endsWith(".json") && !o.name().equals(TIMELINE_FILE)) {
        try (InputStream in = repository.read(o.key())) {
          return Optional.of(ManifestCodec.mapper().readValue(in, SegmentRecord.class));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Where the newest timeline ends (its last segment's end, or its start when it has none yet);
   * empty when the dataset has no archive.
   */
  public Optional<Position> lastPosition(String dataset) throws IOException {
    List<String> names = timelines(dataset);
    if (names.isEmpty()) {
      return Optional.empty();
    }
    String newest = names.get(names.size() - 1);
    Optional<SegmentRecord> last = lastOf(dataset, newest);
    if (last.isPresent()) {
      SegmentRecord r = last.get();
      return Optional.of(new Position(newest, r.replid(), r.endOffset(), r.endDb()));
    }
    TimelineRecord t = timeline(dataset, newest);
    return Optional.of(new Position(newest, t.replid(), t.startOffset(), t.startDb()));
  }

  /**
   * Removes what an interrupted seal left: temporary objects and content objects without a record.
   * Call it only while no archiver of this dataset runs.
   *
   * @return how many leftovers were removed
   */
  public int cleanupIncomplete(String dataset) throws IOException {
    String prefix = datasetPrefix(dataset);
    int removed = repository.cleanupIncomplete(prefix);
    List<StoredObject> objects = repository.list(prefix);
    Set<String> records = new HashSet<>();
    for (StoredObject o : objects) {
      if (o.name().endsWith(".json")) {
        records.add(o.key().substring(0, o.key().length() - ".json".length()));
      }
    }
    for (StoredObject o : objects) {
      String name = o.name();
      int dot = name.indexOf(".aof");
      Stem st = Stem.of(name);
      if (st != null && st.merged()) {
        continue; // a merged segment's content: its compaction removes it (removeOrphanMerged)
      }
      if (dot > 0) {
        String stem = o.key().substring(0, o.key().length() - name.length() + dot);
        if (!records.contains(stem)) {
          repository.delete(o.key());
          removed++;
        }
      }
    }
    return removed;
  }

  /**
   * Writes the merged segment of {@code parts} (consecutive segments of one timeline and one
   * replication id, each starting where the one before ends): its content, the exact concatenation
   * of theirs, is written first (each part's SHA-256 checked while it is read; a mismatch drops the
   * object and fails with the integrity kind), then its record. The parts are not removed: {@link
   * #removeCovered} does that. Only for a store whose segments are not encrypted (the local one):
   * the off-site archive gets merged segments by push ({@link ArchivePusher}).
   *
   * @return the merged segment's record
   */
  SegmentRecord writeMerged(List<SegmentRecord> parts) throws IOException {
    if (encryption.key().isPresent()) {
      throw new IllegalStateException("compaction writes unencrypted archives only");
    }
    if (parts.size() < 2) {
      throw new IllegalArgumentException("a merge needs two segments at least");
    }
    SegmentRecord first = parts.get(0);
    SegmentRecord last = parts.get(parts.size() - 1);
    for (int i = 1; i < parts.size(); i++) {
      SegmentRecord p = parts.get(i);
      SegmentRecord before = parts.get(i - 1);
      if (!p.timeline().equals(first.timeline())
          || !p.replid().equals(first.replid())
          || p.startOffset() != before.endOffset()) {
        throw new IllegalArgumentException(
            "segments " + before.id() + " and " + p.id() + " do not follow each other");
      }
    }
    String stem = padded(first.startOffset()) + "-" + padded(last.endOffset());
    String folder = datasetPrefix(first.dataset()) + first.timeline() + "/";
    String object = stem + ".aof" + compression.suffix();
    MessageDigest raw = Hex.sha256();
    long[] rawCount = new long[1];
    CountingDigestOutputStream[] stored = new CountingDigestOutputStream[1];
    repository.write(
        folder + object,
        out -> {
          stored[0] = new CountingDigestOutputStream(out, Hex.sha256());
          OutputStream c = compression.compress(stored[0]);
          byte[] buf = new byte[1 << 16];
          for (SegmentRecord p : parts) {
            try (InputStream in = open(p.segment())) {
              int n;
              while ((n = in.read(buf)) > 0) {
                raw.update(buf, 0, n);
                c.write(buf, 0, n);
                rawCount[0] += n;
              }
            }
          }
          c.close(); // ends the frame; the repository's stream ignores the close
        });
    int count = 0;
    for (SegmentRecord p : parts) {
      count += p.parts() == null ? 1 : p.parts();
    }
    SegmentRecord merged =
        new SegmentRecord(
            FORMAT_VERSION,
            first.dataset(),
            first.timeline() + "/" + stem,
            first.timeline(),
            first.replid(),
            first.startOffset(),
            last.endOffset(),
            first.startDb(),
            last.endDb(),
            first.firstReceived(),
            last.lastReceived(),
            last.sealedAt(),
            rawCount[0],
            Hex.of(raw.digest()),
            object,
            compression.id(),
            stored[0].count(),
            stored[0].hex(),
            null,
            null,
            count);
    writeRecord(folder + stem + ".json", merged);
    return merged;
  }

  /**
   * Removes the segments (record first, then content) that lie inside a merged segment of the same
   * timeline whose record is listed: the parts a compaction left when it was interrupted, or that
   * the off-site push has just replaced. Decided on object names alone (no record is read). Safe
   * while the archiver, a push or a compaction runs: only segments a listed merged one holds go.
   *
   * @return how many objects were removed
   */
  public int removeCovered(String dataset) throws IOException {
    String prefix = datasetPrefix(dataset);
    List<StoredObject> objects = repository.list(prefix);
    java.util.Map<String, List<Stem>> mergedByFolder = new java.util.HashMap<>();
    for (StoredObject o : objects) {
      Stem st = Stem.of(o.name());
      if (st != null && st.merged() && o.name().equals(st.text() + ".json")) {
        mergedByFolder.computeIfAbsent(folderOf(o), k -> new ArrayList<>()).add(st);
      }
    }
    if (mergedByFolder.isEmpty()) {
      return 0;
    }
    List<String> recordKeys = new ArrayList<>();
    List<String> contentKeys = new ArrayList<>();
    for (StoredObject o : objects) {
      Stem st = Stem.of(o.name());
      List<Stem> merged = mergedByFolder.get(folderOf(o));
      if (st == null || merged == null || !coveredBy(st, merged)) {
        continue;
      }
      (o.name().endsWith(".json") ? recordKeys : contentKeys).add(o.key());
    }
    for (String k : recordKeys) {
      repository.delete(k); // unlisted first
    }
    for (String k : contentKeys) {
      repository.delete(k);
    }
    return recordKeys.size() + contentKeys.size();
  }

  /**
   * The segment records of a listing, without those a listed merged segment of the same timeline
   * holds (decided on names, as {@link #removeCovered}).
   */
  static List<StoredObject> uncoveredRecords(List<StoredObject> listing) {
    java.util.Map<String, List<Stem>> mergedByFolder = new java.util.HashMap<>();
    for (StoredObject o : listing) {
      Stem st = Stem.of(o.name());
      if (st != null && st.merged() && o.name().equals(st.text() + ".json")) {
        mergedByFolder.computeIfAbsent(folderOf(o), k -> new ArrayList<>()).add(st);
      }
    }
    List<StoredObject> out = new ArrayList<>();
    for (StoredObject o : listing) {
      Stem st = Stem.of(o.name());
      if (st == null || !o.name().equals(st.text() + ".json")) {
        continue;
      }
      List<Stem> merged = mergedByFolder.get(folderOf(o));
      if (merged == null || !coveredBy(st, merged)) {
        out.add(o);
      }
    }
    return out;
  }

  /** The objects of merged segments' parts, records first (what {@link #removeCovered} deletes). */
  List<String> coveredKeys(String dataset, String timeline, Stem by) throws IOException {
    List<String> records = new ArrayList<>();
    List<String> contents = new ArrayList<>();
    for (StoredObject o : repository.list(datasetPrefix(dataset) + timeline + "/")) {
      Stem st = Stem.of(o.name());
      if (st != null && coveredBy(st, List.of(by))) {
        (o.name().endsWith(".json") ? records : contents).add(o.key());
      }
    }
    records.addAll(contents);
    return records;
  }

  /**
   * Whether a segment named {@code st} lies inside one of the merged {@code merged} of its
   * timeline. A sealed segment's name gives its start only; it lies inside a merged segment that
   * holds its start, because within a timeline every segment starts where one the archiver sealed
   * started, and a merged segment ends where one of its parts ended.
   */
  private static boolean coveredBy(Stem st, List<Stem> merged) {
    for (Stem m : merged) {
      if (m.text().equals(st.text())) {
        continue;
      }
      boolean inside =
          st.merged()
              ? m.start() <= st.start() && st.end() <= m.end()
              : m.start() <= st.start() && st.start() < m.end();
      if (inside) {
        return true;
      }
    }
    return false;
  }

  private static String folderOf(StoredObject o) {
    return o.key().substring(0, o.key().length() - o.name().length());
  }

  /**
   * Removes merged segments' content objects that have no record: a compaction (or push of a merged
   * segment) interrupted between its content and its record. Call it only where no other compaction
   * or push to this store can be running (the compactor under the dataset's lock, the pusher on its
   * own thread).
   *
   * @return how many were removed
   */
  public int removeOrphanMerged(String dataset) throws IOException {
    String prefix = datasetPrefix(dataset);
    List<StoredObject> objects = repository.list(prefix);
    Set<String> records = new HashSet<>();
    for (StoredObject o : objects) {
      if (o.name().endsWith(".json")) {
        records.add(folderOf(o) + o.name().substring(0, o.name().length() - ".json".length()));
      }
    }
    int removed = 0;
    for (StoredObject o : objects) {
      Stem st = Stem.of(o.name());
      if (st != null
          && st.merged()
          && !o.name().endsWith(".json")
          && !records.contains(folderOf(o) + st.text())) {
        repository.delete(o.key());
        removed++;
      }
    }
    return removed;
  }

  @Override
  public InputStream open(Segment segment) throws IOException {
    String stem = padded(segment.startOffset());
    String idStem =
        segment.id().startsWith(segment.timeline() + "/")
            ? segment.id().substring(segment.timeline().length() + 1)
            : null;
    Stem parsed = idStem == null ? null : Stem.of(idStem);
    if (parsed != null && parsed.text().equals(idStem) && parsed.start() == segment.startOffset()) {
      stem = idStem; // a merged segment's objects are named by its range
    }
    String key = datasetPrefix(segment.dataset()) + segment.timeline() + "/" + stem;
    SegmentRecord r;
    try (InputStream in = repository.read(key + ".json")) {
      r = ManifestCodec.mapper().readValue(in, SegmentRecord.class);
    } catch (NoSuchFileException e) {
      throw RedisOpsException.failed(
          "segment "
              + segment.dataset()
              + "/"
              + segment.id()
              + " is no longer in the archive at "
              + repository.describe()
              + " (merged into a wider segment by compaction, or removed by retention, since it"
              + " was listed); run the command again",
          e);
    }
    checkObject(r, key);
    Compression c = Compression.parse(r.compression());
    String object = datasetPrefix(segment.dataset()) + segment.timeline() + "/" + r.object();
    InputStream stored =
        encryption.open(
            r.encryption(),
            r.encryptionKeyId(),
            repository.read(object),
            repository.describe() + "/" + object);
    return new Verifying(
        c.decompress(stored),
        segment.sha256Raw(),
        segment.rawSize(),
        "segment " + segment.dataset() + "/" + segment.id());
  }

  /** Checks the content's SHA-256 and size when its end is reached. */
  private static final class Verifying extends FilterInputStream {
    private final MessageDigest digest = Hex.sha256();
    private final String expected;
    private final long size;
    private final String what;
    private long count;
    private boolean checked;

    Verifying(InputStream in, String expected, long size, String what) {
      super(in);
      this.expected = expected;
      this.size = size;
      this.what = what;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        throw RedisOpsException.integrity(
            what + " cannot be decompressed (" + e.getMessage() + "): it is damaged");
      }
      if (n > 0) {
        digest.update(b, off, n);
        count += n;
      } else if (n == -1 && !checked) {
        checked = true;
        String actual = Hex.of(digest.digest());
        if (count != size || !actual.equals(expected)) {
          throw RedisOpsException.integrity(
              what
                  + " is damaged: "
                  + count
                  + " bytes with SHA-256 "
                  + actual
                  + ", recorded "
                  + size
                  + " bytes with SHA-256 "
                  + expected);
        }
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 8192)];
      long skipped = 0;
      while (skipped < n) {
        int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
        if (r < 0) {
          break;
        }
        skipped += r;
      }
      return skipped;
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
