package io.redisops.recovery.kernel;

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

/**
 * The state file of one kind of run (a dataset's restore, a data directory's AOF repair): JSON,
 * written atomically (temporary file, fsync, rename) and 0600, so that a crash leaves either the
 * old state or the new one.
 *
 * @param <S> the state
 */
public final class StateStore<S> {
  private final Path file;
  private final Class<S> type;
  private final String what;

  /**
   * @param file the state file
   * @param type the state's class (JSON with the manifest codec's mapper)
   * @param what what the state is of, for messages ({@code restore}, {@code aof repair})
   */
  public StateStore(Path file, Class<S> type, String what) {
    this.file = file;
    this.type = type;
    this.what = what;
  }

  public Path file() {
    return file;
  }

  /** The state of an interrupted run, if there is one. */
  public Optional<S> load() {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(ManifestCodec.mapper().readValue(file.toFile(), type));
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to read the "
              + what
              + " state file "
              + file
              + ": "
              + e.getMessage()
              + "; check it by hand (it names the quarantine folder of the original data)",
          e);
    }
  }

  public void save(S state) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".part");
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(tmp, ManifestCodec.mapper().writeValueAsBytes(state));
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to write the " + what + " state file " + file + ": " + e.getMessage(), e);
    }
  }

  public void delete() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to delete the " + what + " state file " + file + ": " + e.getMessage(), e);
    }
  }
}
