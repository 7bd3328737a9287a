package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.recovery.select.BackupSelector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code restore --to-dir DIR}: the verified RDB of a backup and a {@code redis.conf} that loads
 * it, written into a folder for a new host. Nothing running is touched; the folder must be new or
 * empty ({@code --force}: any folder, but an existing {@code dump.rdb} or {@code redis.conf} is
 * never replaced).
 */
public final class FolderRestore {
  public static final String RDB = "dump.rdb";
  public static final String CONFIG = "redis.conf";

  private FolderRestore() {}

  /**
   * What was written.
   *
   * @param start the command that starts a server on it
   */
  public record Result(
      String dataset,
      String backupId,
      Instant snapshotTime,
      String from,
      String dir,
      String rdb,
      String config,
      Long totalKeys,
      String source,
      String start) {}

  /** Chooses the backup, checks the folder, writes the verified RDB, then the config snippet. */
  public static Result restore(
      BackupSources sources,
      String dataset,
      Selection selection,
      Path dir,
      boolean force,
      Clock clock,
      ProgressListener progress,
      Consumer<String> notices)
      throws IOException {
    Manifest m =
        selection.choose(new BackupSelector(sources.list(dataset), dataset, clock.getZone()));
    Path folder = dir.toAbsolutePath().normalize();
    prepare(folder, force);
    Path rdb = folder.resolve(RDB);
    String where = sources.fetch(dataset, m, rdb, progress, notices);
    Path conf = folder.resolve(CONFIG);
    Files.writeString(conf, snippet(m, dataset, folder), StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
    return new Result(
        dataset,
        m.id(),
        m.snapshotTime(),
        where,
        folder.toString(),
        rdb.toString(),
        conf.toString(),
        m.keysKnown() ? m.totalKeys() : null,
        m.source() == null ? null : m.source().describe(),
        "redis-server " + conf + " --port PORT");
  }

  private static void prepare(Path folder, boolean force) throws IOException {
    if (!Files.exists(folder)) {
      Files.createDirectories(
          folder,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      return;
    }
    if (!Files.isDirectory(folder)) {
      throw RedisOpsException.usage("--to-dir " + folder + " is not a folder");
    }
    List<String> present;
    try (Stream<Path> s = Files.list(folder)) {
      present = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    if (present.isEmpty()) {
      return;
    }
    if (!force) {
      throw RedisOpsException.refused(
          "--to-dir "
              + folder
              + " is not empty ("
              + String.join(", ", present.subList(0, Math.min(3, present.size())))
              + (present.size() > 3 ? ", ..." : "")
              + "); give an empty or new folder, or --force to write beside what is there");
    }
    for (String name : List.of(RDB, CONFIG)) {
      if (present.contains(name)) {
        throw RedisOpsException.refused(
            "--to-dir "
                + folder
                + " already holds "
                + name
                + ", which is never replaced; move it away");
      }
    }
  }

  /**
   * The config snippet: AOF off, because a Redis with {@code appendonly yes} and no AOF folder
   * starts empty instead of loading the RDB (docs/redis-facts.md, "Restore pitfalls").
   */
  static String snippet(Manifest m, String dataset, Path folder) {
    return String.join(
        "\n",
        "# Written by redis-ops restore --to-dir: backup "
            + m.id()
            + " of dataset "
            + dataset
            + ", snapshot "
            + m.snapshotTime()
            + ",",
        "# "
            + (m.source() == null ? "" : "taken from " + m.source().describe() + ", ")
            + m.rdbFormat()
            + ", "
            + m.describeTotalKeys()
            + " keys; verified against its manifest (SHA-256, CRC64, size, keys) when written.",
        "# Start a server on it:  redis-server " + folder.resolve(CONFIG) + " --port PORT",
        "# or copy these lines into the new host's redis.conf. AOF stays off so that the RDB is",
        "# loaded; once the server runs, CONFIG SET appendonly yes, wait for the rewrite to end",
        "# (INFO persistence: aof_rewrite_in_progress:0), then set appendonly yes in the file.",
        "dir \"" + folder + "\"",
        "dbfilename " + RDB,
        "appendonly no",
        "");
  }
}
