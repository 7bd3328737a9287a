package io.redisops.backup.service;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.retention.RetentionPlanner;
import java.nio.file.Path;
import java.util.List;

/** What an import did: one outcome per file found, and what retention decided afterwards. */
public record ImportResult(
    List<FileOutcome> files, int leftoversRemoved, List<RetentionPlanner.Decision> retention) {

  /** What happened to one file. */
  public enum Status {
    /** Verified and stored as a new backup. */
    IMPORTED,
    /**
     * Its content is already a backup of the dataset (same SHA-256), or another file of this run
     * brought it in.
     */
    SKIPPED,
    /** It failed verification (not an RDB, malformed, CRC64 mismatch): nothing stored. Exit 3. */
    REFUSED,
    /** It could not be read or stored (I/O error, changed while read): nothing stored. Exit 1. */
    FAILED
  }

  /**
   * @param backup the new backup (imported) or the one holding the same content (skipped); else
   *     null
   * @param timeSource where the snapshot time was read from (imported only)
   * @param reason why it was skipped, refused or failed; null when imported
   */
  public record FileOutcome(
      Path path,
      Status status,
      Manifest backup,
      ImportLayout.TimeSource timeSource,
      String reason) {}

  public long count(Status status) {
    return files.stream().filter(f -> f.status() == status).count();
  }

  public List<Manifest> pruned() {
    return retention.stream()
        .filter(d -> !d.keep())
        .map(RetentionPlanner.Decision::backup)
        .toList();
  }

  /** Backups of this run that retention would already delete: kept now, gone at the next prune. */
  public List<RetentionPlanner.Decision> keptPastRetention() {
    return retention.stream().filter(PruneService::spared).toList();
  }
}
