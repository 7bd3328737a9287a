package io.redisops.sentinel;

import io.redisops.sentinel.Topology.Instance;
import io.redisops.sentinel.Topology.SentinelState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The deployment checks: the Sentinel set-up mistakes of the reference notes and the Sentinel
 * documentation, each judged PASS, WARN or FAIL with a one-line reason. Pure: everything comes in
 * {@link DeploymentFacts}.
 */
public final class DeploymentRules {
  private DeploymentRules() {}

  public static List<CheckResult> evaluate(DeploymentFacts f) {
    Topology t = f.topology();
    List<CheckResult> out = new ArrayList<>();
    reachability(t, out);
    ckquorum(f, out);
    count(t, out);
    quorum(t, out);
    agreement(t, out);
    distinctHosts(t, out);
    replicas(t, out);
    ownReplicas(t, out);
    minReplicas(f, out);
    persistence(f, out);
    priority(t, out);
    timings(t, out);
    return out;
  }

  private static void reachability(Topology t, List<CheckResult> out) {
    List<SentinelState> down = t.sentinels().stream().filter(s -> !s.reachable()).toList();
    if (down.isEmpty()) {
      out.add(
          CheckResult.pass(
              "sentinels-reachable", "all " + t.sentinels().size() + " sentinels answer"));
    } else {
      out.add(
          CheckResult.warn(
              "sentinels-reachable",
              down.size()
                  + " of "
                  + t.sentinels().size()
                  + " sentinels do not answer ("
                  + down.stream()
                      .map(s -> s.address() + " " + s.error())
                      .collect(Collectors.joining(", "))
                  + "): one more lost and failover may be impossible"));
    }
  }

  private static void ckquorum(DeploymentFacts f, List<CheckResult> out) {
    f.ckquorum().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              String name = "ckquorum " + e.getKey();
              String reply = e.getValue();
              if (reply.startsWith("OK")) {
                out.add(CheckResult.pass(name, reply));
              } else if (reply.startsWith("unreachable")) {
                out.add(CheckResult.warn(name, "not asked: " + reply));
              } else {
                out.add(CheckResult.fail(name, reply));
              }
            });
  }

  private static void count(Topology t, List<CheckResult> out) {
    int n = t.sentinels().size();
    if (n >= 3) {
      out.add(
          CheckResult.pass(
              "sentinel-count", n + " sentinels: a failover can be authorised with one host lost"));
    } else if (n == 2) {
      out.add(
          CheckResult.fail(
              "sentinel-count",
              "only 2 sentinels: a failover needs a majority (2) to elect a leader,"
                  + " so when the host of one dies (with the master, if they share it) the one left can never authorise a"
                  + " failover; run at least 3 on distinct hosts"));
    } else {
      out.add(
          CheckResult.fail(
              "sentinel-count",
              "only 1 sentinel"
                  + (t.quorum() <= 1 ? " with quorum 1" : "")
                  + ": a single point of failure; when its host dies no failover can be authorised at all, and alone it"
                  + " takes any network hiccup for a dead master; run at least 3 on distinct hosts"));
    }
  }

  private static void quorum(Topology t, List<CheckResult> out) {
    int n = t.sentinels().size();
    int q = t.quorum();
    int majority = n / 2 + 1;
    if (q > n) {
      out.add(
          CheckResult.fail(
              "quorum",
              "quorum "
                  + q
                  + " with "
                  + n
                  + " sentinels: the master can never be agreed"
                  + " down, so no failover happens"));
    } else if (q > majority) {
      out.add(
          CheckResult.warn(
              "quorum",
              "quorum "
                  + q
                  + " with "
                  + n
                  + " sentinels: losing "
                  + (n - q + 1)
                  + " sentinel(s) already prevents failover; a quorum of "
                  + majority
                  + " (the majority) is enough"));
    } else if (q < majority) {
      out.add(
          CheckResult.warn(
              "quorum",
              "quorum "
                  + q
                  + " with "
                  + n
                  + " sentinels: fewer than a majority ("
                  + majority
                  + ") may declare the master down; a failover still needs "
                  + majority
                  + " votes"));
    } else {
      out.add(
          CheckResult.pass(
              "quorum",
              "quorum "
                  + q
                  + " of "
                  + n
                  + " sentinels; a majority ("
                  + majority
                  + ") can reach it and authorise the failover"));
    }
  }

  private static void agreement(Topology t, List<CheckResult> out) {
    Set<String> views = new TreeSet<>();
    for (SentinelState s : t.reachableSentinels()) {
      if (s.masterAddress() != null) {
        views.add(s.masterAddress() + " epoch " + s.configEpoch());
      }
    }
    if (views.size() <= 1) {
      out.add(
          CheckResult.pass(
              "agreement",
              "the sentinels agree: master "
                  + t.master().address()
                  + ", config epoch "
                  + t.configEpoch()));
    } else {
      out.add(
          CheckResult.fail(
              "agreement",
              "the sentinels disagree on the master: "
                  + t.reachableSentinels().stream()
                      .filter(s -> s.masterAddress() != null)
                      .map(
                          s ->
                              s.address()
                                  + " says "
                                  + s.masterAddress()
                                  + " epoch "
                                  + s.configEpoch())
                      .collect(Collectors.joining(", "))
                  + " (a failover in progress, or a split configuration)"));
    }
  }

  private static void distinctHosts(Topology t, List<CheckResult> out) {
    Map<String, Long> perHost =
        t.sentinels().stream()
            .collect(
                Collectors.groupingBy(
                    s -> TopologyReader.canonicalHost(s.host()), Collectors.counting()));
    List<String> shared =
        perHost.entrySet().stream()
            .filter(e -> e.getValue() > 1)
            .map(e -> e.getValue() + " on " + e.getKey())
            .sorted()
            .toList();
    if (shared.isEmpty()) {
      out.add(CheckResult.pass("distinct-hosts", "every sentinel runs on its own host"));
    } else {
      out.add(
          CheckResult.warn(
              "distinct-hosts",
              "sentinels share a host ("
                  + String.join(", ", shared)
                  + "): one machine failing takes several votes with it"));
    }
  }

  /** Replicas Sentinel lists that are servers it could promote (not a port-0 phantom). */
  private static List<Instance> servers(Topology t) {
    return t.replicas().stream().filter(r -> !ArchiverAnnouncement.notAServer(r.port())).toList();
  }

  private static void replicas(Topology t, List<CheckResult> out) {
    if (servers(t).isEmpty()) {
      out.add(
          CheckResult.fail(
              "replicas",
              "the master has no replica"
                  + (t.ownReplicas().isEmpty()
                      ? ""
                      : " (the archiver is none: it is never promoted)")
                  + ": there is nothing to fail over to"));
    }
    for (Instance r : t.replicas()) {
      String name = "replica " + r.address();
      String lag =
          r.lagBytes() == null ? "offset " + r.replOffset() : "lag " + r.lagBytes() + " bytes";
      if (r.port() == 0) {
        out.add(
            CheckResult.warn(
                name,
                "a replica that announced no listening port (e.g. redis-cli --replica, or a"
                    + " backup by replication of an older redis-ops): no server, never promoted, but the"
                    + " sentinels keep it ("
                    + r.state()
                    + ") in their configuration until SENTINEL RESET "
                    + t.masterName()
                    + " on each sentinel"));
      } else if (r.down()) {
        out.add(CheckResult.warn(name, "down (" + r.state() + ")"));
      } else if (!"ok".equals(r.linkStatus())) {
        out.add(CheckResult.warn(name, "link to the master is " + r.linkStatus() + ", " + lag));
      } else {
        out.add(CheckResult.pass(name, "linked to " + r.masterAddress() + ", " + lag));
      }
    }
  }

  private static void ownReplicas(Topology t, List<CheckResult> out) {
    for (ArchiverAnnouncement.Attached a : t.ownReplicas()) {
      out.add(
          CheckResult.pass(
              a.kind().label() + " " + a.host(),
              a.state()
                  + (a.lagBytes() == null ? "" : ", " + a.lagBytes() + " bytes behind")
                  + ", acknowledged "
                  + a.ackAgeSeconds()
                  + " s ago; announced port "
                  + a.port()
                  + ": the sentinels do not record it and never promote it"));
    }
  }

  private static void minReplicas(DeploymentFacts f, List<CheckResult> out) {
    if (f.masterConfigError() != null) {
      out.add(
          CheckResult.warn(
              "min-replicas",
              "could not read the master's configuration: " + f.masterConfigError()));
      return;
    }
    String toWrite = f.masterConfig().getOrDefault("min-replicas-to-write", "0");
    String maxLag = f.masterConfig().getOrDefault("min-replicas-max-lag", "10");
    if ("0".equals(toWrite.trim())) {
      out.add(
          CheckResult.warn(
              "min-replicas",
              "min-replicas-to-write is 0 on the master: in a split brain the"
                  + " isolated old master keeps accepting writes, which are lost without bound when it rejoins"
                  + " (set e.g. min-replicas-to-write 1, min-replicas-max-lag 10)"));
    } else if (archivers(f.topology()) > 0
        && TopologyReader.longOf(toWrite, 0) <= archivers(f.topology())) {
      out.add(
          CheckResult.warn(
              "min-replicas",
              "min-replicas-to-write "
                  + toWrite.trim()
                  + " is met by the archiver alone, which acknowledges like a replica: a master cut off"
                  + " from its replicas but not from the archiver (e.g. on the same host) keeps taking"
                  + " writes; set it to at least "
                  + (archivers(f.topology()) + 1)));
    } else {
      out.add(
          CheckResult.pass(
              "min-replicas",
              "min-replicas-to-write "
                  + toWrite
                  + ", min-replicas-max-lag "
                  + maxLag
                  + " s: an isolated master stops taking writes"));
    }
  }

  private static void persistence(DeploymentFacts f, List<CheckResult> out) {
    if (f.masterConfigError() != null) {
      out.add(
          CheckResult.warn(
              "persistence",
              "could not read the master's configuration: " + f.masterConfigError()));
      return;
    }
    String save = f.masterConfig().getOrDefault("save", "").trim();
    boolean aof = "yes".equalsIgnoreCase(f.masterConfig().getOrDefault("appendonly", "no").trim());
    if (save.isEmpty() && !aof) {
      out.add(
          CheckResult.fail(
              "persistence",
              "the master has no persistence (no save points, appendonly no): if it"
                  + " restarts before the sentinels fail over, it comes back empty and its replicas copy the empty dataset"));
    } else {
      out.add(
          CheckResult.pass(
              "persistence",
              (aof ? "appendonly yes" : "appendonly no")
                  + (save.isEmpty() ? "" : ", save " + save)));
    }
  }

  private static long archivers(Topology t) {
    return t.ownReplicas().stream()
        .filter(a -> a.kind() == ArchiverAnnouncement.Kind.ARCHIVER)
        .count();
  }

  private static void priority(Topology t, List<CheckResult> out) {
    List<Instance> servers = servers(t);
    if (servers.isEmpty()) {
      return;
    }
    long promotable = servers.stream().filter(r -> r.priority() != 0).count();
    if (promotable == 0) {
      out.add(
          CheckResult.fail(
              "replica-priority",
              "every replica has replica-priority 0: the sentinels can never"
                  + " promote one, so no failover is possible"));
    } else {
      out.add(
          CheckResult.pass(
              "replica-priority",
              promotable + " of " + servers.size() + " replicas can be promoted"));
    }
  }

  private static void timings(Topology t, List<CheckResult> out) {
    Duration down = t.downAfter();
    if (down.toMillis() < 1000) {
      out.add(
          CheckResult.warn(
              "down-after",
              "down-after-milliseconds "
                  + down.toMillis()
                  + ": under 1 s, a short pause or network hiccup triggers a failover"));
    } else if (down.toMillis() > 60_000) {
      out.add(
          CheckResult.warn(
              "down-after",
              "down-after-milliseconds "
                  + down.toMillis()
                  + ": over a minute of writes failing before a failover even starts"));
    } else {
      out.add(CheckResult.pass("down-after", "down-after-milliseconds " + down.toMillis()));
    }
    Duration fo = t.failoverTimeout();
    if (fo.compareTo(down.multipliedBy(2)) < 0) {
      out.add(
          CheckResult.warn(
              "failover-timeout",
              "failover-timeout "
                  + fo.toMillis()
                  + " ms is under twice"
                  + " down-after-milliseconds: failovers may be abandoned before replicas are reconfigured"));
    } else {
      out.add(CheckResult.pass("failover-timeout", "failover-timeout " + fo.toMillis() + " ms"));
    }
  }
}
