package io.redisops.recovery.restore;

import io.redisops.backup.catalog.ManifestCodec;
import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/** The state file of a dataset's restore: {@code <lock folder>/<dataset>/.restore-state.json}, written atomically. */
public final class RestoreStateStore {
  static final String FILE_NAME = ".restore-state.json";
  private final Path file;

  public RestoreStateStore(Path lockDir, String dataset) {
    this.file = lockDir.resolve(dataset).resolve(FILE_NAME);
  }

  public Path file() {
    return file;
  }

  /** The state of an interrupted restore, if there is one. */
  public Optional<RestoreState> load() {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(ManifestCodec.mapper().readValue(file.toFile(), RestoreState.class));
    } catch (IOException e) {
      throw RedisOpsException.failed("unable to read the restore state file " + file + ": " + e.getMessage()
          + "; check it by hand (it names the quarantine folder of the original data)", e);
    }
  }

  void save(RestoreState state) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(FILE_NAME + ".part");
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(tmp, ManifestCodec.mapper().writeValueAsBytes(state));
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw RedisOpsException.failed("unable to write the restore state file " + file + ": " + e.getMessage(), e);
    }
  }

  void delete() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw RedisOpsException.failed("unable to delete the restore state file " + file + ": " + e.getMessage(), e);
    }
  }
}
