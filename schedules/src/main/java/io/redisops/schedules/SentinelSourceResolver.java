package io.redisops.schedules;

import io.redisops.redis.RedisEndpoint;
import io.redisops.schedules.status.StatusRegistry;
import io.redisops.sentinel.BackupFrom;
import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.ServerResolver;
import io.redisops.sentinel.Topology;
import io.redisops.sentinel.TopologyView;
import java.util.Objects;
import java.util.Optional;

/**
 * The source of a Sentinel-monitored dataset's scheduled backup, decided from the sentinels'
 * current view at each run (the view follows {@code +switch-master} at once, so no restart is
 * needed after a failover): {@code backup-from: replica} takes the healthy replica with the least
 * lag, else the master; {@code master} takes the master. Every host of the group may run a daemon
 * for the same master name: only the one whose local Redis ({@code redis.uri}) is the chosen source
 * backs up; the others skip, log why and count the skip. The sentinels' view is the only agreement
 * needed: all daemons read the same one. A stale view is not acted on.
 */
public final class SentinelSourceResolver implements SourceResolver {
  private final String dataset;
  private final TopologyView view;
  private final SentinelClient client;
  private final RedisEndpoint local;
  private final BackupFrom from;
  private final StatusRegistry status;

  public SentinelSourceResolver(
      String dataset,
      TopologyView view,
      SentinelClient client,
      RedisEndpoint local,
      BackupFrom from,
      StatusRegistry status) {
    this.dataset = dataset;
    this.view = view;
    this.client = client;
    this.local = local;
    this.from = Objects.requireNonNull(from);
    this.status = status;
  }

  @Override
  public Choice choose() {
    Topology t = view.current();
    if (t == null) {
      return skip("no answer from the sentinels yet about dataset " + dataset);
    }
    if (t.stale()) {
      return skip(
          "the sentinels' view of '" + t.masterName() + "' cannot be trusted: " + t.staleReason());
    }
    Optional<Topology.Instance> chosen = from.choose(t);
    if (chosen.isEmpty()) {
      return skip(
          "no healthy source in '"
              + t.masterName()
              + "': master "
              + t.master().address()
              + " is "
              + t.master().state()
              + " and no replica is linked");
    }
    Topology.Instance source = chosen.get();
    String role = source.equals(t.master()) ? "master" : "replica";
    if (isLocal(source)) {
      return Choice.of(local);
    }
    status.recordSkip(dataset);
    return Choice.otherHost(
        "the chosen source is the "
            + role
            + " "
            + source.address()
            + " (backup-from "
            + from.id()
            + "), not this host's Redis "
            + local.address()
            + ": its own daemon takes the backup");
  }

  /** Whether the source is this host's Redis ({@link ServerResolver#sameServer}). */
  private boolean isLocal(Topology.Instance source) {
    return ServerResolver.sameServer(client, source, local);
  }

  private Choice skip(String reason) {
    status.recordSkip(dataset);
    return Choice.skip(reason);
  }
}
