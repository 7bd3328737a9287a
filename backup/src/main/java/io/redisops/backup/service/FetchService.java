package io.redisops.backup.service;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.crypto.DecryptionException;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;

/**
 * Downloads an off-site backup into a local RDB file, streaming, with every check: decryption
 * authenticates each segment, then the compressed object's SHA-256, the RDB's SHA-256, its CRC64,
 * size and key count are compared with the manifest. The file appears (0600, fsynced, renamed into
 * place) only when all of them match: what a restore from off-site uses.
 */
public final class FetchService {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FetchService.class);
  private final Offsite offsite;

  public FetchService(Offsite offsite) {
    this.offsite = offsite;
  }

  /**
   * @param targetFile receives the raw RDB (decrypted, decompressed); replaced only on success
   * @return the backup's off-site manifest
   * @throws RedisOpsException exit 4 for an unknown id, exit 3 when a check fails (wrong key,
   *     tampered or damaged object), exit 1 when the download fails
   */
  @SuppressWarnings(
      "AssignmentExpression") // the catch below must know whether the download was opened
  public Manifest fetch(String dataset, String id, Path targetFile, ProgressListener progress) {
    var catalog = offsite.remote().catalog(dataset);
    String where = offsite.remote().repository().describe();
    Path target = targetFile.toAbsolutePath();
    checkTarget(target);
    Path temp =
        target.resolveSibling(partPrefix(target) + UUID.randomUUID().toString().substring(0, 8));
    removeLeftovers(target);
    DownloadGuard download = null;
    try {
      Manifest m =
          catalog
              .find(id)
              .orElseThrow(
                  () ->
                      RedisOpsException.notFound(
                          "no backup '"
                              + id
                              + "' of dataset "
                              + dataset
                              + " in "
                              + where
                              + "; see 'redis-ops list --where offsite'"));
      progress.begin("fetch " + dataset + "/" + id, m.storedSize());
      try (FileChannel ch =
              FileChannel.open(
                  temp,
                  EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")));
          InputStream in =
              offsite
                  .encryption()
                  .open(
                      m,
                      download = new DownloadGuard(catalog.openObject(m)),
                      where + " " + dataset + "/" + id)) {
        OutputStream file =
            new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 64 * 1024);
        SnapshotStore.Outcome o =
            SnapshotStore.reread(in, Compression.parse(m.compression()), progress, file);
        file.flush();
        List<String> problems = VerifyService.compare(m, o);
        if (!problems.isEmpty()) {
          throw RedisOpsException.integrity(
              "backup "
                  + dataset
                  + "/"
                  + id
                  + " from "
                  + where
                  + " fails verification: "
                  + String.join("; ", problems)
                  + "; nothing was written to "
                  + target);
        }
        ch.force(true);
      } finally {
        progress.end();
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return m;
    } catch (DecryptionException e) {
      throw RedisOpsException.integrity(e.getMessage() + "; nothing was written to " + target);
    } catch (io.redisops.backup.rdb.RdbFormatException e) {
      throw RedisOpsException.integrity(
          "backup "
              + dataset
              + "/"
              + id
              + " from "
              + where
              + " is not a valid RDB: "
              + e.getMessage()
              + "; nothing was written to "
              + target);
    } catch (NoSuchFileException e) {
      throw RedisOpsException.notFound(
          "backup " + dataset + "/" + id + " is incomplete in " + where + ": " + e.getMessage());
    } catch (IOException e) {
      if (download != null && !download.failed) {
        // The bytes arrived but do not decompress: the stored object is damaged.
        throw RedisOpsException.integrity(
            "backup "
                + dataset
                + "/"
                + id
                + " from "
                + where
                + " is damaged: "
                + e.getMessage()
                + "; nothing was written to "
                + target);
      }
      throw RedisOpsException.failed(
          "unable to fetch backup " + dataset + "/" + id + " from " + where + ": " + e.getMessage(),
          e);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // a leftover temporary file is hidden and harmless
      }
    }
  }

  /**
   * Refuses, before anything is downloaded, a target that cannot become the RDB file: a folder (the
   * whole object would be downloaded and then not be placeable), or a file in a folder that does
   * not exist.
   */
  public static void checkTarget(Path targetFile) {
    Path target = targetFile.toAbsolutePath();
    if (Files.isDirectory(target)) {
      throw RedisOpsException.usage(
          "--output "
              + target
              + " is a folder; give the path of the RDB file to write,"
              + " e.g. "
              + target.resolve("dump.rdb"));
    }
    if (target.getParent() == null || !Files.isDirectory(target.getParent())) {
      throw RedisOpsException.usage(
          "unable to fetch into " + target + ": folder " + target.getParent() + " does not exist");
    }
  }

  /**
   * Removes the temporary files ({@code .<name>.part-*}) that a fetch into the same file left when
   * it was killed: they are ours (named after the target), hidden, and as large as the backup.
   */
  public static int removeLeftovers(Path targetFile) {
    Path target = targetFile.toAbsolutePath();
    String prefix = partPrefix(target);
    int removed = 0;
    try (java.util.stream.Stream<Path> siblings = Files.list(target.getParent())) {
      for (Path p : (Iterable<Path>) siblings::iterator) {
        if (p.getFileName().toString().startsWith(prefix) && Files.isRegularFile(p)) {
          Files.deleteIfExists(p);
          log.warn("removed {}, left by an interrupted fetch into {}", p, target);
          removed++;
        }
      }
    } catch (IOException e) {
      log.warn(
          "unable to look for leftovers of an interrupted fetch beside {}: {}",
          target,
          e.getMessage());
    }
    return removed;
  }

  private static String partPrefix(Path target) {
    return "." + target.getFileName() + ".part-";
  }

  /**
   * Tells a failed download (retry later) from bytes that arrived but are damaged (an integrity
   * problem).
   */
  private static final class DownloadGuard extends java.io.FilterInputStream {
    boolean failed;

    DownloadGuard(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException e) {
        failed = true;
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        failed = true;
        throw e;
      }
    }
  }
}
