package io.redisops.recovery.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Step 3: move the current RDB and AOF folder aside into the quarantine folder (a rename inside the data directory)
 * and copy the config file there: the material of a rollback. Its undo removes whatever the restore created at those
 * places, moves the originals back and restores the config file.
 */
final class QuarantineStep implements RestoreStep {
  private final RestoreRun run;

  QuarantineStep(RestoreRun run) {
    this.run = run;
  }

  @Override
  public String name() {
    return "quarantine";
  }

  @Override
  public String describe() {
    return "move " + run.target().rdbPath() + " and " + run.target().aofDirPath() + "/ (when present) into "
        + run.quarantine() + "/ and copy " + run.target().configFile() + " there as " + run.configCopy().getFileName();
  }

  @Override
  public String run(RestoreRun r) throws IOException {
    if (!Files.isDirectory(r.quarantine())) {
      Files.createDirectories(r.quarantine(),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    if (!Files.exists(r.configCopy())) {
      Path tmp = r.configCopy().resolveSibling(r.configCopy().getFileName() + ".part");
      Files.copy(r.target().configPath(), tmp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
      Files.move(tmp, r.configCopy(), StandardCopyOption.ATOMIC_MOVE);
    }
    List<String> moved = new ArrayList<>();
    for (Path original : List.of(r.target().rdbPath(), r.target().aofDirPath())) {
      Path aside = r.quarantine().resolve(original.getFileName());
      if (Files.exists(original, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        if (Files.exists(aside, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          throw new IOException("both " + original + " and " + aside + " exist; the quarantine already holds it");
        }
        Files.move(original, aside, StandardCopyOption.ATOMIC_MOVE);
        moved.add(original.getFileName().toString());
      } else if (Files.exists(aside)) {
        moved.add(original.getFileName() + " (already)");
      }
    }
    r.notices().accept("the current data is kept in " + r.quarantine());
    return (moved.isEmpty() ? "nothing to move" : "moved " + String.join(", ", moved)) + " to " + r.quarantine();
  }

  @Override
  public void undo(RestoreRun r) throws IOException {
    for (Path original : List.of(r.target().rdbPath(), r.target().aofDirPath())) {
      Path aside = r.quarantine().resolve(original.getFileName());
      if (Files.exists(aside, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        // Whatever is there now was made by the restore (the originals are all in the quarantine).
        deleteTree(original);
        Files.move(aside, original, StandardCopyOption.ATOMIC_MOVE);
      }
    }
    if (Files.exists(r.configCopy())) {
      RedisConfigFile.replaceAtomically(r.target().configPath(), Files.readAllBytes(r.configCopy()));
      Files.delete(r.configCopy());
    }
    try (Stream<Path> left = Files.exists(r.quarantine()) ? Files.list(r.quarantine()) : Stream.empty()) {
      if (left.findAny().isEmpty()) {
        Files.deleteIfExists(r.quarantine());
      }
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
