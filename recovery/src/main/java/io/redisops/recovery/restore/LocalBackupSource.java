package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.service.BackupContext;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Backups of the local repository ({@code --repo}). */
public final class LocalBackupSource implements BackupSource {
  private final BackupContext context;

  public LocalBackupSource(BackupContext context) {
    this.context = context;
  }

  @Override
  public String where() {
    return "local";
  }

  @Override
  public String describe() {
    return context.repository().describe();
  }

  @Override
  public List<Manifest> list(String dataset) throws IOException {
    return context.catalog(dataset).list();
  }

  @Override
  public void fetch(String dataset, Manifest m, Path target, ProgressListener progress)
      throws IOException {
    try {
      VerifiedRdbWriter.write(context.catalog(dataset).openObject(m), m, target, progress);
    } catch (NoSuchFileException e) {
      throw RedisOpsException.integrity(
          "backup "
              + m.id()
              + " is not usable: its object "
              + m.object()
              + " is missing from "
              + describe());
    }
  }
}
