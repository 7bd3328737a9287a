package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.progress.ProgressListener;
import io.redisops.recovery.kernel.FailoverGuard;
import io.redisops.recovery.kernel.ProcessControl;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What the steps of one restore share: the backup, the target, where things go, how Redis is
 * controlled, and where to tell what happens.
 *
 * @param dataset the dataset name
 * @param backup the chosen backup
 * @param target the probed target
 * @param sources where the backup may be fetched from
 * @param control stop, start and wait for Redis
 * @param staging where the verified RDB is written before Redis is stopped (in the data directory:
 *     same file system)
 * @param quarantine where the current files are moved aside (in the data directory: a rename, no
 *     copy)
 * @param progress progress of long work (fetch, load, rewrite)
 * @param notices messages for the operator (fallbacks, paths)
 * @param guard the Sentinel failover hold-off when the target is a monitored master, else null
 * @param archive the archived stream applied after the backup (a point-in-time restore), else null
 */
public record RestoreRun(
    String dataset,
    Manifest backup,
    RestoreTarget target,
    BackupSources sources,
    ProcessControl control,
    Path staging,
    Path quarantine,
    ProgressListener progress,
    Consumer<String> notices,
    FailoverGuard guard,
    ArchivedStream archive) {

  public RestoreRun(
      String dataset,
      Manifest backup,
      RestoreTarget target,
      BackupSources sources,
      ProcessControl control,
      Path staging,
      Path quarantine,
      ProgressListener progress,
      Consumer<String> notices) {
    this(
        dataset,
        backup,
        target,
        sources,
        control,
        staging,
        quarantine,
        progress,
        notices,
        null,
        null);
  }

  /**
   * Where the multi-part AOF is laid out before it becomes the data directory's AOF folder: the
   * archive's cut for a point-in-time restore, else next to {@link #staging} ({@code
   * .redis-ops-restore-<id>.aof/}).
   */
  io.redisops.recovery.pitr.AofLayout aofLayout() {
    String dir = staging.getFileName().toString().replaceFirst("\\.rdb$", "") + ".aof";
    Path folder = archive != null ? Path.of(archive.cut().layout()) : staging.resolveSibling(dir);
    return io.redisops.recovery.pitr.AofLayout.in(folder, target.appendfilenameOrDefault());
  }

  /** The copy of the original config file inside the quarantine. */
  Path configCopy() {
    return quarantine.resolve(Path.of(target.configFile()).getFileName() + ".orig");
  }
}
