package io.redisops.recovery.pitr;

import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A Redis 7 multi-part AOF made of a backup's RDB and the cut stream, in one folder that becomes
 * {@code <dir>/<appenddirname>}: {@code <appendfilename>.1.base.rdb}, {@code
 * <appendfilename>.1.incr.aof} and the manifest {@code <appendfilename>.manifest} listing them
 * (docs/redis-facts.md, "The AOF and redis-check-aof"). Redis 7.0 started with {@code appendonly
 * yes} on such a folder loads the base, then the commands (docs/redis-facts.md, "Point-in-time
 * restore").
 *
 * @param dir the folder
 * @param base the RDB
 * @param incr the commands
 * @param manifest the manifest
 */
public record AofLayout(Path dir, Path base, Path incr, Path manifest) {

  /**
   * Whether a layout can be made under this {@code appendfilename}: letters, digits, '.', '_' and
   * '-' only (Redis quotes other names in its manifest).
   */
  public static boolean plainName(String appendfilename) {
    String name =
        appendfilename == null || appendfilename.isEmpty() ? "appendonly.aof" : appendfilename;
    return name.matches("[A-Za-z0-9._-]+");
  }

  /** The file names Redis expects for {@code appendfilename} in {@code dir}. */
  public static AofLayout in(Path dir, String appendfilename) {
    String name =
        appendfilename == null || appendfilename.isEmpty() ? "appendonly.aof" : appendfilename;
    if (!plainName(name)) {
      // Redis quotes such names in its manifest; a restore does not guess the quoting
      throw RedisOpsException.refused(
          "appendfilename '"
              + name
              + "' holds characters other than letters, digits, '.', '_' and '-'; a point-in-time"
              + " restore lays out the AOF under that name: rename it first, or restore without --at");
    }
    return new AofLayout(
        dir,
        dir.resolve(name + ".1.base.rdb"),
        dir.resolve(name + ".1.incr.aof"),
        dir.resolve(name + ".manifest"));
  }

  /** The manifest's text. */
  public String manifestText() {
    return "file "
        + base.getFileName()
        + " seq 1 type b\nfile "
        + incr.getFileName()
        + " seq 1 type i\n";
  }

  /** Creates the folder (owner-only). */
  public void createDir() throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }

  /** Writes the manifest last, atomically: a folder without it is not a complete layout. */
  public void writeManifest() throws IOException {
    Path tmp = manifest.resolveSibling(manifest.getFileName() + ".part");
    Files.write(
        tmp,
        manifestText().getBytes(StandardCharsets.US_ASCII),
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE,
        StandardOpenOption.SYNC);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    Files.move(tmp, manifest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Whether the layout is complete: manifest, base and commands present. */
  public boolean complete() {
    return Files.isRegularFile(manifest) && Files.isRegularFile(base) && Files.isRegularFile(incr);
  }
}
