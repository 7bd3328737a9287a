package io.redisops.recovery.restore;

import io.redisops.backup.catalog.Manifest;
import io.redisops.recovery.select.BackupSelector;
import java.time.Instant;

/**
 * Which backup to restore: {@code --latest}, {@code --backup ID} or {@code --at TIME}.
 *
 * @param id the backup id, or null
 * @param at the instant, or null
 */
public record Selection(String id, Instant at) {
  public static Selection latest() {
    return new Selection(null, null);
  }

  public static Selection byId(String id) {
    return new Selection(id, null);
  }

  public static Selection at(Instant at) {
    return new Selection(null, at);
  }

  Manifest choose(BackupSelector selector) {
    if (id != null) {
      return selector.byId(id);
    }
    return at != null ? selector.atOrBefore(at) : selector.latest();
  }
}
