package io.redisops.schedules.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a BGSAVE's file can be read from here: the data directory is listed and the current RDB
 * (when there is one) opened and read, for real, rather than judged by its permission bits (which
 * say nothing to root).
 */
final class DataDirectory {
  private DataDirectory() {}

  /** Why {@code dir/dbfilename} cannot be read from here, or null when it can. */
  static String problem(String dir, String dbfilename) {
    if (dir == null) {
      return "Redis does not tell its data directory (CONFIG GET is refused)";
    }
    if (dir.isEmpty()) {
      return "Redis reports no data directory (CONFIG GET dir is empty: its working directory was"
          + " removed)";
    }
    Path d = Path.of(dir);
    if (!Files.exists(d)) {
      return "its data directory " + d + " does not exist on this host";
    }
    if (!Files.isDirectory(d)) {
      return "its data directory " + d + " is not a directory on this host";
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(d)) {
      var unused = entries.iterator().hasNext(); // reading one entry is the test
    } catch (IOException | SecurityException e) {
      return "its data directory " + d + " is not readable from here (" + reason(e) + ")";
    }
    if (dbfilename != null) {
      Path rdb = d.resolve(dbfilename);
      if (Files.exists(rdb)) {
        try (InputStream in = Files.newInputStream(rdb)) {
          var unused = in.read(); // reading one byte is the test
        } catch (IOException | SecurityException e) {
          return "its RDB " + rdb + " is not readable from here (" + reason(e) + ")";
        }
      }
    }
    return null;
  }

  private static String reason(Exception e) {
    return e instanceof java.nio.file.AccessDeniedException
        ? "permission denied"
        : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
