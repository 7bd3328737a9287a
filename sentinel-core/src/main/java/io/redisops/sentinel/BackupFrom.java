package io.redisops.sentinel;

import java.util.Optional;

/**
 * Which server of a Sentinel-monitored group a backup is taken from ({@code sentinel.backup-from}):
 * the one rule of the daemon's scheduled backups and of {@code redis-ops backup}.
 */
public enum BackupFrom {
  /** The healthy replica with the least lag, else the master. */
  REPLICA,
  /** Always the master. */
  MASTER;

  /** The server to back up from in {@code t}, or empty when none is fit (the master is down). */
  public Optional<Topology.Instance> choose(Topology t) {
    if (this == REPLICA) {
      Optional<Topology.Instance> replica = t.bestReplica();
      if (replica.isPresent()) {
        return replica;
      }
    }
    return t.master().down() ? Optional.empty() : Optional.of(t.master());
  }

  /** {@code replica} or {@code master}, as configured. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
