package io.redisops.sentinel;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Hand-built topologies for the pure rules. */
final class Topologies {
  private Topologies() {}

  static Topology.Instance master(int port, String... flags) {
    Set<String> f = new java.util.TreeSet<>(List.of(flags));
    f.add("master");
    return new Topology.Instance("10.0.0.1", port, "run-" + port, f, null, -1, null, -1, null);
  }

  static Topology.Instance replica(
      String host, int port, long offset, int priority, String link, String... flags) {
    Set<String> f = new java.util.TreeSet<>(List.of(flags));
    f.add("slave");
    return new Topology.Instance(
        host, port, "run-" + port, f, link, offset, null, priority, "10.0.0.1:6379");
  }

  static Topology.SentinelState sentinel(String host, boolean reachable) {
    return new Topology.SentinelState(
        host,
        26379,
        true,
        reachable,
        reachable ? null : "unreachable (connection refused)",
        null,
        reachable ? "10.0.0.1:6379" : null,
        reachable ? 3 : -1,
        Set.of());
  }

  static Topology of(
      Topology.Instance master, List<Topology.Instance> replicas, int sentinels, int quorum) {
    List<Topology.SentinelState> s = new ArrayList<>();
    for (int i = 0; i < sentinels; i++) {
      s.add(sentinel("10.0.1." + (i + 1), true));
    }
    return new Topology(
        "mymaster",
        master,
        replicas,
        s,
        quorum,
        3,
        Duration.ofSeconds(5),
        Duration.ofMinutes(3),
        null,
        Instant.parse("2026-11-22T10:00:00Z"),
        false,
        null);
  }

  static Topology withSentinels(Topology t, List<Topology.SentinelState> sentinels) {
    return new Topology(
        t.masterName(),
        t.master(),
        t.replicas(),
        sentinels,
        t.quorum(),
        t.configEpoch(),
        t.downAfter(),
        t.failoverTimeout(),
        t.masterReplOffset(),
        t.observedAt(),
        false,
        null);
  }
}
