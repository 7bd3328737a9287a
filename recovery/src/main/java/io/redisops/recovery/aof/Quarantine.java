package io.redisops.recovery.aof;

import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Copies the AOF aside before anything edits it: {@code <data dir>/redis-ops-quarantine/<UTC time>-<purpose>/},
 * holding the AOF folder (or the single file) as it was. The copy is checked byte for byte (SHA-256) against the
 * original before it counts. Folders 0700, files 0600: the copy holds the data.
 */
public final class Quarantine {
  public static final String FOLDER = "redis-ops-quarantine";
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private Quarantine() {}

  /** Where the copy of an AOF at {@code location} goes, without creating it: the folder is named after the time. */
  public static Path folderFor(AofLocation location, Clock clock, String purpose) {
    Path base = location.dataDir().resolve(FOLDER);
    String stamp = STAMP.format(clock.instant()) + "-" + purpose;
    Path p = base.resolve(stamp);
    for (int i = 2; Files.exists(p); i++) {
      p = base.resolve(stamp + "-" + i);
    }
    return p;
  }

  /**
   * Copies the AOF into {@code folder} (created) and verifies the copy.
   *
   * @return the copied files, relative to {@code folder}
   * @throws RedisOpsException failed (1) when the copy cannot be made or differs from the original
   */
  public static List<Path> copy(AofLocation location, Path folder) {
    try {
      Files.createDirectories(folder.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path source = location.copySource();
      List<Path> sources = new ArrayList<>();
      Path targetRoot;
      if (Files.isDirectory(source)) {
        targetRoot = folder.resolve(source.getFileName());
        Files.createDirectory(targetRoot, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (Stream<Path> files = Files.list(source)) {
          files.filter(Files::isRegularFile).sorted().forEach(sources::add);
        }
      } else {
        targetRoot = folder;
        sources.add(source);
      }
      List<Path> copied = new ArrayList<>();
      for (Path src : sources) {
        Path dst = targetRoot.resolve(src.getFileName());
        Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES);
        Files.setPosixFilePermissions(dst, PosixFilePermissions.fromString("rw-------"));
        if (!sha256(src).equals(sha256(dst))) {
          throw RedisOpsException.failed("quarantine copy '" + dst + "' differs from '" + src + "'; nothing was changed");
        }
        copied.add(folder.relativize(dst));
      }
      return copied;
    } catch (FileAlreadyExistsException e) {
      throw RedisOpsException.failed("quarantine folder '" + folder + "' exists already; nothing was changed", e);
    } catch (IOException e) {
      throw RedisOpsException.failed("unable to copy the AOF into quarantine '" + folder + "': " + e.getMessage()
          + "; nothing was changed", e);
    }
  }

  /** Puts one quarantined file back over the original (used when an edit must be undone). */
  public static void putBack(Path copy, Path original) {
    try {
      Files.copy(copy, original, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw RedisOpsException.failed("unable to put '" + copy + "' back as '" + original + "': " + e.getMessage(), e);
    }
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
