package io.redisops.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the Redis programs in PATH, with a message that says how to get them. */
final class Executables {

  private Executables() {}

  /**
   * The absolute path of {@code name} in PATH.
   *
   * @throws IllegalStateException "NAME not found in PATH; run ./run-tests.sh, which installs ..."
   *     when absent
   */
  static Path find(String name) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String folder : path.split(File.pathSeparator)) {
        if (folder.isEmpty()) {
          continue;
        }
        Path candidate = Path.of(folder, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate.toAbsolutePath();
        }
      }
    }
    throw new IllegalStateException(
        name
            + " not found in PATH; run ./run-tests.sh, which installs Debian's "
            + "redis-server redis-sentinel redis-tools");
  }
}
