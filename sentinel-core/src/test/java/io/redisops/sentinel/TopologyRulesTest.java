package io.redisops.sentinel;

import static io.redisops.sentinel.Topologies.master;
import static io.redisops.sentinel.Topologies.replica;
import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.redis.RedisEndpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pure parts of topology handling: best replica, failover completeness, sentinel node parsing.
 */
class TopologyRulesTest {

  @Test
  void bestReplicaIsTheHealthyOneWithTheHighestOffset() {
    Topology t =
        Topologies.of(
            master(6379),
            List.of(
                replica("a", 1, 500, 100, "ok", "s_down"),
                replica("b", 2, 300, 100, "ok"),
                replica("c", 3, 400, 100, "err"),
                replica("d", 4, 350, 100, "ok")),
            3,
            2);
    assertThat(t.bestReplica()).map(Topology.Instance::address).contains("d:4");
    Topology none = Topologies.of(master(6379), List.of(replica("c", 3, 400, 100, "err")), 3, 2);
    assertThat(none.bestReplica()).isEmpty();
  }

  @Test
  void aFailoverIsDoneWhenMasterEpochSentinelsAndReplicasAgree() {
    Topology before =
        Topologies.of(master(6379), List.of(replica("10.0.0.2", 6379, 1, 100, "ok")), 3, 2);
    assertThat(FailoverControl.missing(before, "10.0.0.1:6379", 3, (r, m) -> false))
        .contains("still 10.0.0.1:6379");

    Topology.Instance newMaster =
        new Topology.Instance(
            "10.0.0.2", 6379, "r2", java.util.Set.of("master"), null, -1, null, -1, null);
    Topology.Instance oldAsReplica =
        new Topology.Instance(
            "10.0.0.1", 6379, "r1", java.util.Set.of("slave"), "err", 0, null, 100, "?:0");
    Topology.Instance third =
        new Topology.Instance(
            "10.0.0.3", 6379, "r3", java.util.Set.of("slave"), "ok", 5, null, 100, "10.0.0.2:6379");
    List<Topology.SentinelState> agreeing =
        List.of(state("10.0.0.2:6379", 4), state("10.0.0.2:6379", 4));
    Topology after =
        new Topology(
            "mymaster",
            newMaster,
            List.of(oldAsReplica, third),
            agreeing,
            2,
            4,
            before.downAfter(),
            before.failoverTimeout(),
            null,
            before.observedAt(),
            false,
            null);
    // the old master is converted by Sentinel later and is not required
    assertThat(FailoverControl.missing(after, "10.0.0.1:6379", 3, (r, m) -> false)).isNull();

    Topology lagging =
        new Topology(
            "mymaster",
            newMaster,
            List.of(
                third.withLag(null),
                new Topology.Instance(
                    "10.0.0.4",
                    6379,
                    "r4",
                    java.util.Set.of("slave"),
                    "ok",
                    1,
                    null,
                    100,
                    "10.0.0.1:6379")),
            agreeing,
            2,
            4,
            before.downAfter(),
            before.failoverTimeout(),
            null,
            before.observedAt(),
            false,
            null);
    assertThat(FailoverControl.missing(lagging, "10.0.0.1:6379", 3, (r, m) -> false))
        .contains("10.0.0.4:6379");
    assertThat(FailoverControl.missing(lagging, "10.0.0.1:6379", 3, (r, m) -> true)).isNull();

    Topology split =
        new Topology(
            "mymaster",
            newMaster,
            List.of(third),
            List.of(state("10.0.0.2:6379", 4), state("10.0.0.1:6379", 3)),
            2,
            4,
            before.downAfter(),
            before.failoverTimeout(),
            null,
            before.observedAt(),
            false,
            null);
    assertThat(FailoverControl.missing(split, "10.0.0.1:6379", 3, (r, m) -> true))
        .contains("not every sentinel");
  }

  private static Topology.SentinelState state(String master, long epoch) {
    return new Topology.SentinelState(
        "10.0.1." + epoch + master.length(),
        26379,
        true,
        true,
        null,
        null,
        master,
        epoch,
        java.util.Set.of());
  }

  @Test
  void sentinelNodesDefaultToPort26379AndKeepTheirScheme() {
    List<RedisEndpoint> nodes =
        SentinelTarget.parseNodes(
            List.of("10.0.0.1", "10.0.0.2:26380", "rediss://h", "redis://u:p@h2:1"), "nodes");
    assertThat(nodes)
        .extracting(RedisEndpoint::address)
        .containsExactly("10.0.0.1:26379", "10.0.0.2:26380", "h:26379", "h2:1");
    assertThat(nodes.get(2).tls()).isTrue();
    assertThat(nodes.get(3).username()).isEqualTo("u");
  }
}
