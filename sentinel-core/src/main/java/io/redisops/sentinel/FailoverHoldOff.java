package io.redisops.sentinel;

import io.lettuce.core.RedisCommandExecutionException;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import io.redisops.time.Deadline;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Holds off Sentinel's automatic failover of one master while it is stopped on purpose (a restore),
 * and puts it back. The way: {@code SENTINEL SET <name> quorum <sentinels + 1>} on every sentinel
 * (docs/redis-facts.md, "Holding off a failover"): no sentinel can then reach ODOWN, so none starts
 * a failover, whatever the replicas say. Chosen over {@code replica-priority 0} on the replicas
 * because it takes effect at once (a sentinel reads a replica's priority only every 10 s), it is
 * written to each sentinel's own config file (a sentinel or replica restarted meanwhile keeps it),
 * the replicas' settings are never touched, and no failover is even attempted (no {@code
 * +try-failover}, no epoch bump). It needs every sentinel to answer: one left out keeps its quorum
 * and could still gather the votes alone, so {@link #probe} refuses then.
 */
public final class FailoverHoldOff {
  private final SentinelClient client;
  private final SentinelTarget target;
  private final Clock clock;

  public FailoverHoldOff(SentinelClient client, SentinelTarget target, Clock clock) {
    this.client = client;
    this.target = target;
    this.clock = clock;
  }

  /**
   * What was there before the hold-off: kept in the restore's state file, so that whatever happens
   * (success, rollback, {@code --rollback}, {@code --resume} after a kill) it can be put back.
   *
   * @param masterName the monitored name
   * @param master the master's {@code host:port} as the sentinels report it
   * @param sentinels every sentinel with its own quorum before the hold-off
   * @param replicas the replicas the sentinels reached ({@code host:port}, not down or
   *     disconnected): those that must resynchronise from the restored master
   * @param heldQuorum the quorum set while failover is held off (sentinels + 1)
   * @param downAfterMillis {@code down-after-milliseconds}
   */
  public record Saved(
      String masterName,
      String master,
      List<SentinelQuorum> sentinels,
      List<String> replicas,
      int heldQuorum,
      long downAfterMillis) {
    public Saved {
      sentinels = List.copyOf(sentinels);
      replicas = List.copyOf(replicas);
    }

    /** {@code host:port quorum N, ...}: the settings to put back, for messages. */
    public String describeQuorums() {
      return String.join(
          ", ", sentinels.stream().map(s -> s.address() + " quorum " + s.quorum()).toList());
    }

    /** The commands that put the settings back by hand (for a message when redis-ops cannot). */
    public String byHand() {
      return String.join(
          "; ",
          sentinels.stream()
              .map(
                  s ->
                      "redis-cli -h "
                          + s.host()
                          + " -p "
                          + s.port()
                          + " SENTINEL SET "
                          + masterName
                          + " quorum "
                          + s.quorum())
              .toList());
    }
  }

  /** One sentinel and its own quorum for the master. */
  public record SentinelQuorum(String host, int port, int quorum) {
    public String address() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /**
   * Reads what the hold-off will change, without changing anything.
   *
   * @param host the restore target's host
   * @param port its port
   * @return empty when the sentinels' master is another server (nothing to hold off for this one)
   * @throws RedisOpsException REFUSED when a sentinel does not answer or the view cannot be
   *     trusted: failover could not be held off
   */
  public Optional<Saved> probe(String host, int port) {
    Topology t;
    try {
      t = new TopologyReader(client, target, clock).read(false);
    } catch (RedisOpsException e) {
      throw refused(e.getMessage());
    }
    if (t.stale()) {
      throw refused(t.staleReason());
    }
    String unreachable =
        String.join(
            ", ",
            t.sentinels().stream()
                .filter(s -> !s.reachable())
                .map(s -> s.address() + " " + s.error())
                .toList());
    if (!unreachable.isEmpty()) {
      throw refused("sentinel(s) " + unreachable + " do not answer");
    }
    if (!sameServer(t.master().host(), t.master().port(), host, port)) {
      return Optional.empty();
    }
    List<SentinelQuorum> quorums = new ArrayList<>();
    for (Topology.SentinelState s : t.sentinels()) {
      Map<String, String> m = master(s.host(), s.port());
      quorums.add(new SentinelQuorum(s.host(), s.port(), TopologyReader.intOf(m.get("quorum"), 0)));
    }
    // Every replica the sentinels reach must follow the restored master, also one whose link they
    // last saw down: they refresh a replica's INFO only every 10 s (e.g. just after a restart).
    // redis-ops' archiver and a port-0 phantom are no servers: they resynchronise on their own
    // (the archiver records the full resynchronisation as a gap), or not at all.
    List<String> replicas =
        t.replicas().stream()
            .filter(r -> !r.down() && !ArchiverAnnouncement.notAServer(r.port()))
            .map(Topology.Instance::address)
            .toList();
    return Optional.of(
        new Saved(
            t.masterName(),
            t.master().address(),
            quorums,
            replicas,
            quorums.size() + 1,
            t.downAfter().toMillis()));
  }

  /**
   * Sets the held quorum on every sentinel and reads it back. Idempotent: run again after a crash
   * it finishes the job.
   */
  public String hold(Saved s) {
    for (SentinelQuorum q : s.sentinels()) {
      setQuorum(s.masterName(), q, s.heldQuorum());
    }
    return "failover of '"
        + s.masterName()
        + "' held off: quorum "
        + s.heldQuorum()
        + " on all "
        + s.sentinels().size()
        + " sentinels (was "
        + s.describeQuorums()
        + ")";
  }

  /**
   * Whether every sentinel sees the master up (no {@code s_down}, {@code o_down} or {@code
   * disconnected}): giving failover back before that would let the sentinels fail over a master
   * that has just come back.
   *
   * @return null when they all do, else what is missing
   */
  public String masterSeenDown(Saved s) {
    List<String> down = new ArrayList<>();
    for (SentinelQuorum q : s.sentinels()) {
      try {
        Set<String> flags = TopologyReader.flags(master(q.host(), q.port()).get("flags"));
        flags.retainAll(Set.of("s_down", "o_down", "disconnected"));
        if (!flags.isEmpty()) {
          down.add(q.address() + " sees it " + String.join(",", flags));
        }
      } catch (RedisOpsException e) {
        down.add(e.getMessage());
      }
    }
    return down.isEmpty() ? null : String.join("; ", down);
  }

  /**
   * Waits until every sentinel sees the master up, then puts every sentinel's quorum back and reads
   * it back.
   *
   * @param masterRuns false when the master is left stopped (a rollback of a restore of a server
   *     that was down): the quorum is put back at once, as it was before
   * @param bound how long to wait for the sentinels to see the master up
   * @throws RedisOpsException FAILED naming what is missing and the commands that put the settings
   *     back by hand
   */
  public String release(Saved s, boolean masterRuns, Duration bound) {
    if (masterRuns) {
      Deadline d = Deadline.after(clock, bound);
      String missing = masterSeenDown(s);
      while (missing != null) {
        if (d.passed()) {
          throw RedisOpsException.failed(
              "failover of '"
                  + s.masterName()
                  + "' is still held off: the sentinels do not see the master "
                  + s.master()
                  + " up within "
                  + bound.toSeconds()
                  + " s ("
                  + missing
                  + "); once they do, put the quorum back: "
                  + s.byHand());
        }
        Deadline.pause(Duration.ofMillis(200));
        missing = masterSeenDown(s);
      }
    }
    List<String> failed = new ArrayList<>();
    for (SentinelQuorum q : s.sentinels()) {
      try {
        setQuorum(s.masterName(), q, q.quorum());
      } catch (RedisOpsException e) {
        failed.add(e.getMessage());
      }
    }
    if (!failed.isEmpty()) {
      throw RedisOpsException.failed(
          "failover of '"
              + s.masterName()
              + "' is still held off on some sentinels: "
              + String.join("; ", failed)
              + "; put the quorum back by hand: "
              + s.byHand());
    }
    return "failover of '"
        + s.masterName()
        + "' given back to the sentinels: "
        + s.describeQuorums()
        + " as before";
  }

  private void setQuorum(String name, SentinelQuorum q, int quorum) {
    RedisEndpoint ep = sentinel(q.host(), q.port());
    try {
      client.withSentinel(ep, c -> c.set(name, "quorum", Integer.toString(quorum)));
      String now = client.withSentinel(ep, c -> c.master(name)).get("quorum");
      if (!Integer.toString(quorum).equals(now)) {
        throw RedisOpsException.failed(
            "sentinel " + q.address() + " reports quorum " + now + " after SENTINEL SET " + quorum);
      }
    } catch (RedisCommandExecutionException e) {
      throw RedisOpsException.failed(
          "sentinel "
              + q.address()
              + " refused SENTINEL SET "
              + name
              + " quorum "
              + quorum
              + ": "
              + TopologyReader.firstLine(e.getMessage()));
    } catch (RedisOpsException e) {
      throw e;
    } catch (RuntimeException e) {
      throw RedisOpsException.failed("sentinel " + q.address() + " " + TopologyReader.describe(e));
    }
  }

  private Map<String, String> master(String host, int port) {
    try {
      return client.withSentinel(sentinel(host, port), c -> c.master(target.masterName()));
    } catch (RedisCommandExecutionException e) {
      throw RedisOpsException.failed(
          "sentinel "
              + host
              + ":"
              + port
              + " answered "
              + TopologyReader.firstLine(e.getMessage()));
    } catch (RuntimeException e) {
      throw RedisOpsException.failed(
          "sentinel " + host + ":" + port + " " + TopologyReader.describe(e));
    }
  }

  private RedisEndpoint sentinel(String host, int port) {
    RedisEndpoint template = target.sentinels().get(0);
    return new RedisEndpoint(
        host, port, template.tls(), template.username(), template.password(), template.caFile());
  }

  private RedisOpsException refused(String why) {
    return RedisOpsException.refused(
        "failover of '"
            + target.masterName()
            + "' cannot be held off for the restore: "
            + why
            + "; every sentinel must answer (a sentinel left out could still fail the master over"
            + " while it is stopped); bring them back and try again");
  }

  static boolean sameServer(String host1, int port1, String host2, int port2) {
    return port1 == port2
        && TopologyReader.canonicalHost(host1).equals(TopologyReader.canonicalHost(host2));
  }
}
