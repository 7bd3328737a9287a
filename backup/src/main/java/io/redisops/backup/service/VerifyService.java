package io.redisops.backup.service;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.crypto.ObjectEncryption;
import io.redisops.backup.io.Hex;
import io.redisops.backup.progress.ProgressListener;
import io.redisops.backup.rdb.RdbAnalysis;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-reads a stored backup end to end (download, decrypt, decompress, analyse) and compares every checksum with its
 * manifest. Works alike on the local repository and off-site.
 */
public final class VerifyService {
  private final BackupContext context;
  private final ObjectEncryption encryption;

  public VerifyService(BackupContext context) {
    this(context, ObjectEncryption.none());
  }

  /** @param encryption the key that opens encrypted backups (off-site) */
  public VerifyService(BackupContext context, ObjectEncryption encryption) {
    this.context = context;
    this.encryption = encryption;
  }

  /** The outcome for one backup: no problems means it is intact. */
  public record Result(Manifest backup, List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  public Result verify(String dataset, Manifest m, ProgressListener progress) {
    BackupCatalog catalog = context.catalog(dataset);
    List<String> problems = new ArrayList<>();
    progress.begin("verify " + dataset + "/" + m.id(), m.storedSize());
    try (InputStream in = encryption.open(m, catalog.openObject(m), m.object())) {
      problems.addAll(compare(m, SnapshotStore.reread(in, Compression.parse(m.compression()), progress)));
    } catch (java.nio.file.NoSuchFileException e) {
      problems.add("object " + m.object() + " is missing");
    } catch (io.redisops.backup.crypto.DecryptionException e) {
      problems.add(e.getMessage());
    } catch (IOException e) {
      problems.add("the stored object cannot be read back: " + e.getMessage());
    } finally {
      progress.end();
    }
    return new Result(m, problems);
  }

  /** What differs between a manifest and a re-read of its object; empty when everything matches. */
  static List<String> compare(Manifest m, SnapshotStore.Outcome o) {
    List<String> problems = new ArrayList<>();
    RdbAnalysis a = o.analysis();
    if (!o.storedSha256().equals(m.storedSha256())) {
      problems.add("stored object SHA-256 " + o.storedSha256() + " differs from the manifest's " + m.storedSha256());
    }
    if (!o.rawSha256().equals(m.rawSha256())) {
      problems.add("RDB SHA-256 " + o.rawSha256() + " differs from the manifest's " + m.rawSha256());
    }
    if (!a.crcOk()) {
      problems.add("RDB CRC64 mismatch (stored " + Hex.crc64(a.storedCrc()) + ", computed " + Hex.crc64(a.computedCrc()) + ")");
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
