package io.redisops.backup.service;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.retention.RetentionPlanner;
import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies retention to one dataset: decides with {@link RetentionPlanner}, deletes manifest first. */
public final class PruneService {
  private static final Logger log = LoggerFactory.getLogger(PruneService.class);
  private final BackupContext context;

  public PruneService(BackupContext context) {
    this.context = context;
  }

  /**
   * @param dryRun decide and report, delete nothing
   * @param lockHeld the caller already holds the dataset's lock
   * @return one decision per complete backup, newest first
   */
  public List<RetentionPlanner.Decision> prune(String dataset, boolean dryRun, boolean lockHeld) {
    DatasetLock lock = lockHeld || dryRun ? null : context.lock(dataset);
    try {
      BackupCatalog catalog = context.catalog(dataset);
      // Unusable backups (damaged manifest, missing data file) are not in the plan: never deleted by retention, never
      // "the newest"; the operator removes them with 'delete'. Known bad ones do not count as the newest.
      BackupCatalog.Scan scan = catalog.scan();
      List<RetentionPlanner.Decision> plan =
          new RetentionPlanner(context.retention()).plan(scan.usable(), scan.knownBad(), context.clock().instant());
      if (!dryRun) {
        for (RetentionPlanner.Decision d : plan) {
          if (!d.keep()) {
            Manifest m = d.backup();
            catalog.delete(m);
            log.info("pruned backup {}/{} ({})", dataset, m.id(), d.reason());
          }
        }
      }
      return plan;
    } catch (IOException e) {
      throw RedisOpsException.failed("unable to prune dataset '" + dataset + "' in " + context.repository().describe()
          + ": " + e.getMessage(), e);
    } finally {
      if (lock != null) {
        lock.close();
      }
    }
  }
}
