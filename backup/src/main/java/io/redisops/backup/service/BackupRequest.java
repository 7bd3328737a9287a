package io.redisops.backup.service;

import io.redisops.backup.catalog.Tier;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.redis.RedisEndpoint;
import java.util.Set;

/** One backup to take: of which server, into which dataset, for which tiers, by which method. */
public record BackupRequest(
    String dataset, RedisEndpoint endpoint, Set<Tier> tiers, SnapshotMethod method) {
  public BackupRequest {
    tiers = Set.copyOf(tiers);
    if (tiers.isEmpty()) {
      throw new IllegalArgumentException("a backup needs at least one tier");
    }
  }
}
