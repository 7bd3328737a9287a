package io.redisops.backup.service;

import io.redisops.backup.archive.ArchiveRetention;
import io.redisops.backup.archive.ArchiveStore;
import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.retention.RetentionPlanner;
import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies retention to one dataset: decides with {@link RetentionPlanner}, deletes manifest first.
 */
public final class PruneService {
  private static final Logger log = LoggerFactory.getLogger(PruneService.class);
  private static final String SPARED = "kept for now (imported by this run), although ";
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
    return prune(dataset, dryRun, lockHeld, Set.of());
  }

  /**
   * As {@link #prune(String, boolean, boolean)}, but the backups in {@code spare} stay whatever
   * their age: an import never deletes what it has just brought in. Their decision says so ({@link
   * #spared}); the next prune decides them like any other backup.
   */
  public List<RetentionPlanner.Decision> prune(
      String dataset, boolean dryRun, boolean lockHeld, Set<String> spare) {
    return pruneAll(dataset, dryRun, lockHeld, spare).backups();
  }

  /**
   * What one prune decided: the backups, and the point-in-time archive's segments.
   *
   * @param backups one decision per complete backup, newest first
   * @param archive the archive's segments deleted (or that would be), by {@code retention.archive}
   */
  public record Outcome(List<RetentionPlanner.Decision> backups, ArchiveRetention.Plan archive) {}

  /**
   * As {@link #prune(String, boolean, boolean, Set)}, then retention of the dataset's archive
   * ({@link ArchiveRetention}): its segments that no kept backup needs and that are older than
   * {@code retention.archive} go.
   */
  public Outcome pruneAll(String dataset, boolean dryRun, boolean lockHeld, Set<String> spare) {
    DatasetLock lock = lockHeld || dryRun ? null : context.lock(dataset);
    try {
      BackupCatalog catalog = context.catalog(dataset);
      // Unusable backups (damaged manifest, missing data file) are not in the plan: never deleted
      // by retention, never
      // "the newest"; the operator removes them with 'delete'. Known bad ones do not count as the
      // newest.
      BackupCatalog.Scan scan = catalog.scan();
      List<RetentionPlanner.Decision> plan =
          new RetentionPlanner(context.retention())
              .plan(scan.usable(), scan.knownBad(), context.clock().instant()).stream()
                  .map(
                      d ->
                          d.keep() || !spare.contains(d.backup().id())
                              ? d
                              : new RetentionPlanner.Decision(
                                  d.backup(), true, SPARED + d.reason()))
                  .toList();
      if (!dryRun) {
        for (RetentionPlanner.Decision d : plan) {
          if (!d.keep()) {
            Manifest m = d.backup();
            catalog.delete(m);
            log.info("pruned backup {}/{} ({})", dataset, m.id(), d.reason());
          }
        }
      }
      List<Manifest> kept =
          plan.stream().filter(RetentionPlanner.Decision::keep).map(d -> d.backup()).toList();
      ArchiveRetention.Plan archive =
          ArchiveRetention.apply(
              new ArchiveStore(context.repository(), context.compression()),
              dataset,
              kept,
              context.clock().instant(),
              context.retention().archive(),
              dryRun);
      if (!dryRun && !archive.delete().isEmpty()) {
        log.info(
            "pruned {} segment(s) of {}'s archive (retention.archive {})",
            archive.delete().size(),
            dataset,
            context.retention().archive());
      }
      return new Outcome(plan, archive);
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to prune dataset '"
              + dataset
              + "' in "
              + context.repository().describe()
              + ": "
              + e.getMessage(),
          e);
    } finally {
      if (lock != null) {
        lock.close();
      }
    }
  }

  /** True for a backup kept only because it was spared: retention would have deleted it. */
  public static boolean spared(RetentionPlanner.Decision d) {
    return d.keep() && d.reason().startsWith(SPARED);
  }
}
