package io.redisops.recovery.kernel;

import io.redisops.error.RedisOpsException;
import io.redisops.time.TimeFormats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where restore and the AOF tools keep the data they replace or edit, in one layout: {@code <data
 * dir>/redis-ops-quarantine/<UTC time>-<purpose>/}, e.g. {@code
 * /var/lib/redis/redis-ops-quarantine/20261201T101500Z-restore/} or {@code ...-repair/}, {@code
 * ...-undo-flushall/} (a second one in the same second gets {@code -2}, {@code -3}, ...). Inside
 * the data directory, so that a restore moves files aside with a rename (same file system), and one
 * folder per data directory holds every quarantine, oldest first. Folders 0700, files 0600: the
 * copies hold the data.
 *
 * <p>Two ways in: {@link #moveIn} (restore: the RDB and the AOF folder are renamed into it, {@link
 * #moveBack} undoes it) and {@link #copyIn} (AOF tools: the AOF is copied and each copy checked
 * byte for byte by SHA-256 before it counts; {@link #putBack} puts one copied file back over an
 * edited original).
 */
public final class Quarantine {
  /** The folder below the data directory that holds every quarantine. */
  public static final String FOLDER = "redis-ops-quarantine";

  private static final DateTimeFormatter STAMP = TimeFormats.STAMP;

  private Quarantine() {}

  /** The quarantine of one run, without creating it: named after the time and what it is for. */
  public static Path folderFor(Path dataDir, Clock clock, String purpose) {
    Path base = dataDir.resolve(FOLDER);
    String stamp = STAMP.format(clock.instant()) + "-" + purpose;
    Path p = base.resolve(stamp);
    for (int i = 2; Files.exists(p); i++) {
      p = base.resolve(stamp + "-" + i);
    }
    return p;
  }

  /** Creates {@code folder} (and the common parent) 0700 when missing. */
  public static void create(Path folder) throws IOException {
    Files.createDirectories(
        folder.getParent(),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    if (!Files.isDirectory(folder)) {
      Files.createDirectory(
          folder,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }

  /**
   * Moves {@code original} (a file or a folder) into {@code folder} by a rename; nothing when it
   * does not exist.
   *
   * @return what the quarantine holds of it: {@code name}, {@code name (already)} when moved by an
   *     earlier run, or null
   * @throws IOException when both the original and a quarantined one exist (the quarantine already
   *     holds it)
   */
  public static String moveIn(Path folder, Path original) throws IOException {
    Path aside = folder.resolve(original.getFileName());
    if (Files.exists(original, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.exists(aside, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(
            "both " + original + " and " + aside + " exist; the quarantine already holds it");
      }
      Files.move(original, aside, StandardCopyOption.ATOMIC_MOVE);
      return original.getFileName().toString();
    }
    return Files.exists(aside) ? original.getFileName() + " (already)" : null;
  }

  /**
   * Moves a quarantined file or folder back as {@code original}, replacing whatever is there now.
   */
  public static void moveBack(Path folder, Path original) throws IOException {
    Path aside = folder.resolve(original.getFileName());
    if (Files.exists(aside, LinkOption.NOFOLLOW_LINKS)) {
      deleteTree(original);
      Files.move(aside, original, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /** Removes {@code folder} when it is empty, and the common parent when that is then empty too. */
  public static void removeIfEmpty(Path folder) throws IOException {
    for (Path p : new Path[] {folder, folder.getParent()}) {
      if (p == null || !Files.isDirectory(p)) {
        continue;
      }
      try (Stream<Path> left = Files.list(p)) {
        if (left.findAny().isPresent()) {
          return;
        }
      }
      Files.deleteIfExists(p);
    }
  }

  /**
   * Copies {@code source} (a folder: its regular files; or one file) into {@code folder} (created)
   * and checks each copy against its original.
   *
   * @return the copied files, relative to {@code folder}
   * @throws RedisOpsException failed (1) when the copy cannot be made or differs from the original
   */
  public static List<Path> copyIn(Path folder, Path source) {
    try {
      Files.createDirectories(
          folder.getParent(),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Files.createDirectory(
          folder,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      List<Path> sources = new ArrayList<>();
      Path targetRoot;
      if (Files.isDirectory(source)) {
        targetRoot = folder.resolve(source.getFileName());
        Files.createDirectory(
            targetRoot,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
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
          throw RedisOpsException.failed(
              "quarantine copy '" + dst + "' differs from '" + src + "'; nothing was changed");
        }
        copied.add(folder.relativize(dst));
      }
      return copied;
    } catch (FileAlreadyExistsException e) {
      throw RedisOpsException.failed(
          "quarantine folder '" + folder + "' exists already; nothing was changed", e);
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to copy '"
              + source
              + "' into quarantine '"
              + folder
              + "': "
              + e.getMessage()
              + "; nothing was changed",
          e);
    }
  }

  /** Puts one quarantined copy back over the original (an edit undone). */
  public static void putBack(Path copy, Path original) {
    try {
      Files.copy(copy, original, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to put '" + copy + "' back as '" + original + "': " + e.getMessage(), e);
    }
  }

  /** Deletes a file or a folder with everything in it; nothing when it does not exist. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** The SHA-256 of a file, in hex. */
  public static String sha256(Path file) throws IOException {
    try (InputStream in =
        new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
