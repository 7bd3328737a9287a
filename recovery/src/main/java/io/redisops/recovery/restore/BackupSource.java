package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a restore can take a backup from: the local repository, or the off-site one. Both look
 * alike, so the choice of {@code --from} and the fallback live in {@link BackupSources}, not in the
 * restore steps.
 */
public interface BackupSource {

  /** {@code local} or {@code offsite}, as in {@code --from} and {@code list --where}. */
  String where();

  /** Where the backups are (a folder or a URI, never a secret), for messages. */
  String describe();

  /** Complete backups of the dataset (those with a manifest), in any order. */
  List<Manifest> list(String dataset) throws IOException;

  /**
   * Writes the raw (decompressed, decrypted) RDB of backup {@code m} to {@code target} (mode 0600,
   * fsynced) and checks it against the manifest on the way: SHA-256 of the stored object and of the
   * RDB, RDB structure and CRC64, size and key count. On any mismatch {@code target} is deleted and
   * a {@link io.redisops.error.RedisOpsException} with exit 3 names the problem; a missing object
   * is exit 3 too ("the backup is not usable").
   */
  void fetch(String dataset, Manifest m, Path target, ProgressListener progress) throws IOException;
}
