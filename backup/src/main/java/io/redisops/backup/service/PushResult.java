package io.redisops.backup.service;

import io.redisops.backup.retention.RetentionPlanner;
import java.util.List;

/**
 * What a push did (or, with {@code dryRun}, would do).
 *
 * @param pushed backups copied off-site in this run (or that would be), newest first
 * @param alreadyOffsite local backups that were off-site before the run
 * @param refused local backups not copied because their local object fails its checksum (each with
 *     the reason)
 * @param leftoversRemoved incomplete uploads and manifest-less objects of interrupted runs removed
 *     first
 * @param retention off-site retention applied after the copies (empty on a dry run)
 */
public record PushResult(
    String dataset,
    boolean dryRun,
    List<Pushed> pushed,
    List<String> alreadyOffsite,
    List<Refused> refused,
    int leftoversRemoved,
    List<RetentionPlanner.Decision> retention) {

  /** One backup copied: its id, the bytes sent and how long it took. */
  public record Pushed(String id, long bytes, long millis) {}

  /** One backup not copied, and why. */
  public record Refused(String id, String reason) {}

  public boolean ok() {
    return refused.isEmpty();
  }
}
