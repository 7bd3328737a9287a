package io.redisops.sentinel;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the sentinels say about one master at one moment: the master, its replicas and the
 * sentinels, with their state. Built by {@link TopologyReader} from every reachable sentinel; when
 * they disagree, the view of the sentinel with the highest config epoch wins (Sentinel's own rule
 * for which configuration is newest).
 *
 * @param masterName the monitored name
 * @param master the master as the winning sentinel reports it
 * @param replicas its replicas (the old master of a failover shows up here once converted)
 * @param sentinels every sentinel known: the configured ones and those the sentinels discovered
 * @param quorum sentinels that must agree the master is down
 * @param configEpoch the winning view's config epoch (grows with every failover)
 * @param downAfter {@code down-after-milliseconds}
 * @param failoverTimeout {@code failover-timeout}
 * @param masterReplOffset the master's {@code master_repl_offset} when it was asked, else null
 * @param observedAt when this view was read
 * @param stale true when it cannot be trusted (see {@link #staleReason})
 * @param staleReason why it is stale, null when it is not
 * @param ownReplicas redis-ops' own replicas attached to the master (the point-in-time archiver, a
 *     capture by replication), read from the master's {@code INFO replication} when it was asked
 *     (empty otherwise): the sentinels never record them ({@link ArchiverAnnouncement}), and they
 *     are never among {@link #replicas}
 */
public record Topology(
    String masterName,
    Instance master,
    List<Instance> replicas,
    List<SentinelState> sentinels,
    int quorum,
    long configEpoch,
    Duration downAfter,
    Duration failoverTimeout,
    Long masterReplOffset,
    Instant observedAt,
    boolean stale,
    String staleReason,
    List<ArchiverAnnouncement.Attached> ownReplicas) {

  public Topology {
    replicas = List.copyOf(replicas);
    sentinels = List.copyOf(sentinels);
    ownReplicas = List.copyOf(ownReplicas);
  }

  /** A view without redis-ops' own replicas (the master was not asked). */
  public Topology(
      String masterName,
      Instance master,
      List<Instance> replicas,
      List<SentinelState> sentinels,
      int quorum,
      long configEpoch,
      Duration downAfter,
      Duration failoverTimeout,
      Long masterReplOffset,
      Instant observedAt,
      boolean stale,
      String staleReason) {
    this(
        masterName,
        master,
        replicas,
        sentinels,
        quorum,
        configEpoch,
        downAfter,
        failoverTimeout,
        masterReplOffset,
        observedAt,
        stale,
        staleReason,
        List.of());
  }

  /**
   * One Redis server as Sentinel sees it.
   *
   * @param flags Sentinel's flags ({@code master}, {@code slave}, {@code s_down}, {@code o_down},
   *     {@code disconnected}, ...)
   * @param linkStatus a replica's {@code master-link-status} ({@code ok} or {@code err}); null for
   *     the master
   * @param replOffset a replica's {@code slave-repl-offset}; -1 for the master
   * @param lagBytes master offset minus replica offset when the master's offset is known, else null
   * @param priority {@code replica-priority} (0: never promoted); -1 for the master
   * @param masterAddress the master a replica follows ({@code host:port}); null for the master
   */
  public record Instance(
      String host,
      int port,
      String runId,
      Set<String> flags,
      String linkStatus,
      long replOffset,
      Long lagBytes,
      int priority,
      String masterAddress) {

    public Instance {
      flags = Set.copyOf(flags);
    }

    public String address() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Down in the eyes of a sentinel (subjectively or objectively) or not connected. */
    public boolean down() {
      return flags.contains("s_down") || flags.contains("o_down") || flags.contains("disconnected");
    }

    /**
     * A replica fit to back up from: reachable, linked to its master, and not being failed over.
     */
    public boolean healthyReplica() {
      return !down()
          && "ok".equals(linkStatus)
          && !flags.contains("promoted")
          && !flags.contains("failover_in_progress");
    }

    public Instance withLag(Long lag) {
      return new Instance(
          host, port, runId, flags, linkStatus, replOffset, lag, priority, masterAddress);
    }

    /** Sentinel's flags without the role, comma-separated, or {@code ok}. */
    public String state() {
      List<String> s =
          flags.stream().filter(f -> !f.equals("master") && !f.equals("slave")).sorted().toList();
      return s.isEmpty() ? "ok" : String.join(",", s);
    }
  }

  /**
   * One sentinel: whether it answered us, what it believes, and how the others see it.
   *
   * @param configured listed in the configuration (others were discovered through the sentinels)
   * @param reachable it answered our queries just now
   * @param error why it did not answer, null when it did
   * @param runId its run id, when known
   * @param masterAddress the master it reports, null when it did not answer
   * @param configEpoch its config epoch for the master, -1 when it did not answer
   * @param flags how the other sentinels see it ({@code s_down}, {@code disconnected}); empty when
   *     none reports it
   */
  public record SentinelState(
      String host,
      int port,
      boolean configured,
      boolean reachable,
      String error,
      String runId,
      String masterAddress,
      long configEpoch,
      Set<String> flags) {

    public SentinelState {
      flags = Set.copyOf(flags);
    }

    public String address() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** The healthy replica with the least lag (highest replication offset), if any. */
  public Optional<Instance> bestReplica() {
    return replicas.stream()
        .filter(Instance::healthyReplica)
        .max(Comparator.comparingLong(Instance::replOffset));
  }

  /** Sentinels that answered. */
  public List<SentinelState> reachableSentinels() {
    return sentinels.stream().filter(SentinelState::reachable).toList();
  }

  /** The same view, marked stale for {@code reason}. */
  public Topology asStale(String reason) {
    return new Topology(
        masterName,
        master,
        replicas,
        sentinels,
        quorum,
        configEpoch,
        downAfter,
        failoverTimeout,
        masterReplOffset,
        observedAt,
        true,
        reason,
        ownReplicas);
  }

  /**
   * True when master, replicas' addresses and roles, and epoch are the same (figures such as
   * offsets may differ).
   */
  public boolean sameShape(Topology o) {
    return o != null
        && master.address().equals(o.master.address())
        && configEpoch == o.configEpoch
        && stale == o.stale
        && replicas.stream()
            .map(r -> r.address() + r.state() + r.linkStatus())
            .sorted()
            .toList()
            .equals(
                o.replicas.stream()
                    .map(r -> r.address() + r.state() + r.linkStatus())
                    .sorted()
                    .toList())
        && sentinels.stream()
            .map(s -> s.address() + s.reachable())
            .sorted()
            .toList()
            .equals(o.sentinels.stream().map(s -> s.address() + s.reachable()).sorted().toList())
        && master.state().equals(o.master.state());
  }
}
