package io.redisops.backup.service;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.crypto.ObjectEncryption;
import io.redisops.backup.rdb.RdbAnalysis;
import io.redisops.progress.ProgressListener;
import io.redisops.text.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-reads a stored backup end to end (download, decrypt, decompress, analyse) and compares every
 * checksum with its manifest. Works alike on the local repository and off-site.
 */
public final class VerifyService {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(VerifyService.class);
  private final BackupContext context;
  private final ObjectEncryption encryption;

  public VerifyService(BackupContext context) {
    this(context, ObjectEncryption.none());
  }

  /**
   * @param encryption the key that opens encrypted backups (off-site)
   */
  public VerifyService(BackupContext context, ObjectEncryption encryption) {
    this.context = context;
    this.encryption = encryption;
  }

  /**
   * The outcome for one backup: no problems means it is intact.
   *
   * @param id the backup's id (also when no usable manifest exists)
   * @param backup its manifest, null for an unusable backup
   */
  public record Result(String id, Manifest backup, List<String> problems) {
    public Result(Manifest backup, List<String> problems) {
      this(backup.id(), backup, problems);
    }

    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /**
   * The result for a backup whose manifest cannot be used: it fails verification with that problem.
   */
  public static Result unusable(BackupCatalog.Unusable u) {
    return new Result(u.id(), null, List.of(u.problem()));
  }

  /**
   * Re-reads backup {@code m} and compares. A backup found damaged (a checksum differs, its object
   * is missing or does not decompress) is marked known bad in its repository, so retention stops
   * counting it as the newest; one that is intact again loses the mark. A failed download
   * (off-site) or a wrong key marks nothing.
   */
  public Result verify(String dataset, Manifest m, ProgressListener progress) {
    BackupCatalog catalog = context.catalog(dataset);
    List<String> problems = new ArrayList<>();
    boolean damaged = false;
    progress.begin("verify " + dataset + "/" + m.id(), m.storedSize());
    try (InputStream in = encryption.open(m, catalog.openObject(m), m.object())) {
      problems.addAll(
          compare(m, SnapshotStore.reread(in, Compression.parse(m.compression()), progress)));
      damaged = !problems.isEmpty();
    } catch (java.nio.file.NoSuchFileException e) {
      problems.add("object " + m.object() + " is missing");
      damaged = true;
    } catch (io.redisops.backup.crypto.DecryptionException e) {
      problems.add(e.getMessage());
    } catch (io.redisops.backup.rdb.RdbFormatException e) {
      problems.add("the stored object is not a valid RDB: " + e.getMessage());
      damaged = true;
    } catch (IOException e) {
      problems.add("the stored object cannot be read back: " + e.getMessage());
      // A local file that does not decompress is damaged; off-site the same error may be a dropped
      // connection.
      damaged =
          context
              .repository()
              .capabilities()
              .contains(io.redisops.storage.Repository.Capability.LOCAL_FILES);
    } finally {
      progress.end();
    }
    mark(catalog, m, damaged, problems);
    return new Result(m, problems);
  }

  private void mark(BackupCatalog catalog, Manifest m, boolean damaged, List<String> problems) {
    try {
      if (damaged) {
        catalog.markBad(m.id(), problems, context.clock().instant());
        log.warn(
            "backup {}/{} marked known bad in {}: retention no longer counts it as the newest",
            catalog.dataset(),
            m.id(),
            context.repository().describe());
      } else if (problems.isEmpty() && catalog.isMarkedBad(m.id())) {
        catalog.clearBad(m.id());
        log.info(
            "backup {}/{} verified intact again: its known-bad mark is removed",
            catalog.dataset(),
            m.id());
      }
    } catch (IOException | RuntimeException e) {
      // A read-only repository can still be verified; only the mark is missing, and the operator is
      // told.
      log.warn(
          "unable to record the verification of backup {}/{} in {}: {}",
          catalog.dataset(),
          m.id(),
          context.repository().describe(),
          e.getMessage());
    }
  }

  /** What differs between a manifest and a re-read of its object; empty when everything matches. */
  static List<String> compare(Manifest m, SnapshotStore.Outcome o) {
    List<String> problems = new ArrayList<>();
    RdbAnalysis a = o.analysis();
    if (!o.storedSha256().equals(m.storedSha256())) {
      problems.add(
          "stored object SHA-256 "
              + o.storedSha256()
              + " differs from the manifest's "
              + m.storedSha256());
    }
    if (!o.rawSha256().equals(m.rawSha256())) {
      problems.add(
          "RDB SHA-256 " + o.rawSha256() + " differs from the manifest's " + m.rawSha256());
    }
    if (!a.crcOk()) {
      problems.add(
          "RDB CRC64 mismatch (stored "
              + Hex.crc64(a.storedCrc())
              + ", computed "
              + Hex.crc64(a.computedCrc())
              + ")");
    }
    if (o.rawSize() != m.rawSize()) {
      problems.add("RDB is " + o.rawSize() + " bytes, the manifest says " + m.rawSize());
    }
    if (m.keysKnown() && a.keyCountsAvailable() && a.totalKeys() != m.totalKeys()) {
      problems.add("RDB holds " + a.totalKeys() + " keys, the manifest says " + m.totalKeys());
    }
    return problems;
  }
}
