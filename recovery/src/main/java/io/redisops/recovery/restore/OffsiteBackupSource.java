package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.service.FetchService;
import io.redisops.backup.service.Offsite;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Backups of the off-site repository, fetched through the verified {@link FetchService} (decrypt,
 * decompress, every checksum; the file appears only when all match).
 */
public final class OffsiteBackupSource implements BackupSource {
  private final Offsite offsite;

  public OffsiteBackupSource(Offsite offsite) {
    this.offsite = offsite;
  }

  @Override
  public String where() {
    return "offsite";
  }

  @Override
  public String describe() {
    return offsite.remote().repository().describe();
  }

  @Override
  public List<Manifest> list(String dataset) throws IOException {
    return offsite.remote().catalog(dataset).list();
  }

  @Override
  public void fetch(String dataset, Manifest m, Path target, ProgressListener progress) {
    try {
      new FetchService(offsite).fetch(dataset, m.id(), target, progress);
    } catch (RedisOpsException e) {
      if (e.exitCode() == ExitCode.NOT_FOUND) {
        // listed a moment ago and gone now: for the restore it is simply not usable
        throw RedisOpsException.integrity("backup " + m.id() + " is not usable: " + e.getMessage());
      }
      throw e;
    }
  }
}
