package io.redisops.recovery.restore;

import io.redisops.recovery.kernel.Quarantine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Step 3: move the current RDB and AOF folder aside into the quarantine folder ({@link Quarantine}:
 * a rename inside the data directory) and copy the config file there: the material of a rollback.
 * Its undo removes whatever the restore created at those places, moves the originals back and
 * restores the config file.
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
    return "move "
        + run.target().rdbPath()
        + " and "
        + run.target().aofDirPath()
        + "/ (when present) into "
        + run.quarantine()
        + "/ and copy "
        + run.target().configFile()
        + " there as "
        + run.configCopy().getFileName();
  }

  @Override
  public String run(RestoreRun r) throws IOException {
    Quarantine.create(r.quarantine());
    if (!Files.exists(r.configCopy())) {
      Path tmp = r.configCopy().resolveSibling(r.configCopy().getFileName() + ".part");
      Files.copy(
          r.target().configPath(),
          tmp,
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.COPY_ATTRIBUTES);
      Files.move(tmp, r.configCopy(), StandardCopyOption.ATOMIC_MOVE);
    }
    List<String> moved = new ArrayList<>();
    for (Path original : List.of(r.target().rdbPath(), r.target().aofDirPath())) {
      String m = Quarantine.moveIn(r.quarantine(), original);
      if (m != null) {
        moved.add(m);
      }
    }
    r.notices().accept("the current data is kept in " + r.quarantine());
    return (moved.isEmpty() ? "nothing to move" : "moved " + String.join(", ", moved))
        + " to "
        + r.quarantine();
  }

  @Override
  public void undo(RestoreRun r) throws IOException {
    for (Path original : List.of(r.target().rdbPath(), r.target().aofDirPath())) {
      // Whatever is there now was made by the restore (the originals are all in the quarantine).
      Quarantine.moveBack(r.quarantine(), original);
    }
    if (Files.exists(r.configCopy())) {
      RedisConfigFile.replaceAtomically(
          r.target().configPath(), Files.readAllBytes(r.configCopy()));
      Files.delete(r.configCopy());
    }
    Quarantine.removeIfEmpty(r.quarantine());
  }

  static void deleteTree(Path root) throws IOException {
    Quarantine.deleteTree(root);
  }
}
