package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.io.ReadAhead;
import io.redisops.backup.io.TappedInputStream;
import io.redisops.backup.rdb.RdbAnalysis;
import io.redisops.backup.rdb.RdbAnalyzer;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.text.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Turns a stored backup object into the RDB file Redis will load, checking every byte on the way
 * (one streaming pass: memory does not grow with the size). Shared by every {@link BackupSource}:
 * what counts as "verified" must not depend on where the bytes came from.
 */
public final class VerifiedRdbWriter {
  private VerifiedRdbWriter() {}

  /**
   * Reads {@code stored} (closed afterwards), decompresses it as the manifest says, writes the RDB
   * to {@code target} and compares checksums, size and key count with {@code m}; see {@link
   * BackupSource#fetch}.
   */
  public static void write(InputStream stored, Manifest m, Path target, ProgressListener progress)
      throws IOException {
    List<String> problems = new ArrayList<>();
    Files.deleteIfExists(target);
    try (InputStream in = stored;
        FileChannel ch =
            FileChannel.open(
                target,
                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")))) {
      // flushed to disk as it is written: the final fsync before the stop has little left to do
      io.redisops.storage.WritebackOutputStream file =
          new io.redisops.storage.WritebackOutputStream(Channels.newOutputStream(ch), ch);
      progress.begin("fetch and verify " + m.id(), m.storedSize());
      try {
        TappedInputStream storedTap = new TappedInputStream(in, Hex.sha256(), null, progress);
        // decompression and the stored object's SHA-256 on a second thread, the RDB's checks and
        // the file's writes on this one
        InputStream decompressed =
            ReadAhead.of(Compression.parse(m.compression()).decompress(storedTap));
        TappedInputStream raw =
            new TappedInputStream(decompressed, Hex.sha256(), file, ProgressListener.NONE);
        RdbAnalysis a;
        try {
          a = RdbAnalyzer.analyze(raw);
          raw.drain();
          storedTap.drain(); // the second thread is done: it has read the frame's end
        } finally {
          decompressed.close();
        }
        file.flush();
        file.finish();
        ch.force(true);
        if (!storedTap.hex().equals(m.storedSha256())) {
          problems.add(
              "stored object SHA-256 "
                  + storedTap.hex()
                  + " differs from the manifest's "
                  + m.storedSha256());
        }
        if (!raw.hex().equals(m.rawSha256())) {
          problems.add("RDB SHA-256 differs from the manifest's");
        }
        if (!a.crcOk()) {
          problems.add("RDB CRC64 mismatch");
        }
        if (raw.count() != m.rawSize()) {
          problems.add("RDB is " + raw.count() + " bytes, the manifest says " + m.rawSize());
        }
        if (m.keysKnown() && a.keyCountsAvailable() && a.totalKeys() != m.totalKeys()) {
          problems.add("RDB holds " + a.totalKeys() + " keys, the manifest says " + m.totalKeys());
        }
      } catch (io.redisops.backup.rdb.RdbFormatException e) {
        problems.add("not a valid RDB: " + e.getMessage());
      } catch (IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
          throw e;
        }
        // A damaged compressed frame surfaces as an IOException of the codec.
        problems.add("the stored object cannot be decompressed: " + e.getMessage());
      } finally {
        progress.end();
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(target);
      throw e;
    }
    if (!problems.isEmpty()) {
      Files.deleteIfExists(target);
      throw RedisOpsException.integrity(
          "backup " + m.id() + " failed verification: " + String.join("; ", problems));
    }
  }
}
