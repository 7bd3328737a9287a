package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.recovery.select.BackupSelector;
import java.time.Instant;

/**
 * Which backup to restore: {@code --latest}, {@code --backup ID}, {@code --at TIME} or {@code --at
 * now}.
 *
 * @param id the backup id, or null
 * @param at the instant, or null
 * @param archiveEnd {@code --at now}: as late as the data goes, the end of the point-in-time
 *     archive when it continues a backup to there, else the newest backup ({@code at} is then the
 *     moment the command was given)
 */
public record Selection(String id, Instant at, boolean archiveEnd) {
  public static Selection latest() {
    return new Selection(null, null, false);
  }

  public static Selection byId(String id) {
    return new Selection(id, null, false);
  }

  public static Selection at(Instant at) {
    return new Selection(null, at, false);
  }

  /** {@code --at now} given at {@code now}. */
  public static Selection archiveEnd(Instant now) {
    return new Selection(null, now, true);
  }

  Manifest choose(BackupSelector selector) {
    if (id != null) {
      return selector.byId(id);
    }
    return at != null && !archiveEnd ? selector.atOrBefore(at) : selector.latest();
  }
}
