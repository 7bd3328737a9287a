package io.redisops.backup.service;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.retention.RetentionPlanner;
import java.util.List;

/**
 * What a backup run did: the new backup, the leftovers it cleaned, and what retention decided
 * afterwards.
 */
public record BackupResult(
    Manifest manifest, int leftoversRemoved, List<RetentionPlanner.Decision> retention) {

  public List<Manifest> pruned() {
    return retention.stream()
        .filter(d -> !d.keep())
        .map(RetentionPlanner.Decision::backup)
        .toList();
  }
}
