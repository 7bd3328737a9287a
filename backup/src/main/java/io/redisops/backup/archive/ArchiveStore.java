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
      String encryptionKeyId) {

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
          encryptionKeyId);
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
          keyId);
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
    for (StoredObject o : repository.list(prefix)) {
      String rest = o.key().substring(prefix.length());
      if (rest.endsWith("/" + TIMELINE_FILE) && rest.indexOf('/') == rest.lastIndexOf('/')) {
        out.add(rest.substring(0, rest.indexOf('/')));
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

  /** The key of a segment's record. */
  static String recordKey(SegmentRecord r) {
    return datasetPrefix(r.dataset()) + r.timeline() + "/" + padded(r.startOffset()) + ".json";
  }

  /** The key of a segment's content object. */
  static String contentKey(SegmentRecord r) {
    checkObject(r, datasetPrefix(r.dataset()) + r.timeline() + "/" + padded(r.startOffset()));
    return datasetPrefix(r.dataset()) + r.timeline() + "/" + r.object();
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

  /** Every sealed segment's record, ordered by timeline then start offset. */
  public List<SegmentRecord> records(String dataset) throws IOException {
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

  @Override
  public InputStream open(Segment segment) throws IOException {
    String key =
        datasetPrefix(segment.dataset()) + segment.timeline() + "/" + padded(segment.startOffset());
    SegmentRecord r;
    try (InputStream in = repository.read(key + ".json")) {
      r = ManifestCodec.mapper().readValue(in, SegmentRecord.class);
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
