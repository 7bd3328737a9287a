package io.redisops.sentinel;

import static io.redisops.sentinel.Topologies.master;
import static io.redisops.sentinel.Topologies.replica;
import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.sentinel.CheckResult.Level;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeploymentRulesTest {
  private static final Map<String, String> SAFE_MASTER =
      Map.of(
          "min-replicas-to-write",
          "1",
          "min-replicas-max-lag",
          "10",
          "save",
          "3600 1",
          "appendonly",
          "yes");

  private static Topology healthy() {
    return Topologies.of(
        master(6379),
        List.of(
            replica("10.0.0.2", 6379, 100, 100, "ok"), replica("10.0.0.3", 6379, 90, 100, "ok")),
        3,
        2);
  }

  private static List<CheckResult> check(
      Topology t, Map<String, String> ckquorum, Map<String, String> config) {
    return DeploymentRules.evaluate(new DeploymentFacts(t, ckquorum, config, null));
  }

  private static CheckResult result(List<CheckResult> results, String name) {
    return results.stream()
        .filter(r -> r.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no check " + name + " in " + results));
  }

  @Test
  void aSoundDeploymentPassesEverything() {
    List<CheckResult> r =
        check(healthy(), Map.of("10.0.1.1:26379", "OK 3 usable Sentinels."), SAFE_MASTER);
    assertThat(r).allSatisfy(c -> assertThat(c.level()).as(c.toString()).isEqualTo(Level.PASS));
  }

  @Test
  void twoSentinelsFailWithTheReason() {
    CheckResult c =
        result(
            check(Topologies.of(master(6379), healthy().replicas(), 2, 1), Map.of(), SAFE_MASTER),
            "sentinel-count");
    assertThat(c.level()).isEqualTo(Level.FAIL);
    assertThat(c.reason()).contains("majority (2)").contains("can never authorise a failover");
  }

  @Test
  void oneSentinelWithQuorumOneFails() {
    CheckResult c =
        result(
            check(Topologies.of(master(6379), healthy().replicas(), 1, 1), Map.of(), SAFE_MASTER),
            "sentinel-count");
    assertThat(c.level()).isEqualTo(Level.FAIL);
    assertThat(c.reason()).startsWith("only 1 sentinel with quorum 1");
  }

  @Test
  void quorumAboveTheSentinelsFailsAndAboveTheMajorityWarns() {
    assertThat(
            result(
                    check(
                        Topologies.of(master(6379), healthy().replicas(), 3, 4),
                        Map.of(),
                        SAFE_MASTER),
                    "quorum")
                .level())
        .isEqualTo(Level.FAIL);
    assertThat(
            result(
                    check(
                        Topologies.of(master(6379), healthy().replicas(), 3, 3),
                        Map.of(),
                        SAFE_MASTER),
                    "quorum")
                .level())
        .isEqualTo(Level.WARN);
    assertThat(
            result(
                    check(
                        Topologies.of(master(6379), healthy().replicas(), 5, 1),
                        Map.of(),
                        SAFE_MASTER),
                    "quorum")
                .level())
        .isEqualTo(Level.WARN);
  }

  @Test
  void noquorumFailsAndAnUnreachableSentinelWarns() {
    List<CheckResult> r =
        check(
            healthy(),
            Map.of(
                "10.0.1.1:26379",
                "NOQUORUM 1 usable Sentinels. Not enough",
                "10.0.1.2:26379",
                "unreachable (connection refused)"),
            SAFE_MASTER);
    assertThat(result(r, "ckquorum 10.0.1.1:26379").level()).isEqualTo(Level.FAIL);
    assertThat(result(r, "ckquorum 10.0.1.2:26379").level()).isEqualTo(Level.WARN);
  }

  @Test
  void aMasterWithoutPersistenceFails() {
    CheckResult c =
        result(
            check(
                healthy(),
                Map.of(),
                Map.of("save", "", "appendonly", "no", "min-replicas-to-write", "1")),
            "persistence");
    assertThat(c.level()).isEqualTo(Level.FAIL);
    assertThat(c.reason()).contains("comes back empty");
  }

  @Test
  void minReplicasOffWarns() {
    CheckResult c =
        result(
            check(
                healthy(),
                Map.of(),
                Map.of("save", "60 1", "appendonly", "no", "min-replicas-to-write", "0")),
            "min-replicas");
    assertThat(c.level()).isEqualTo(Level.WARN);
    assertThat(c.reason()).contains("split brain");
  }

  @Test
  void everyReplicaAtPriorityZeroFails() {
    Topology t =
        Topologies.of(
            master(6379),
            List.of(replica("10.0.0.2", 6379, 1, 0, "ok"), replica("10.0.0.3", 6379, 1, 0, "ok")),
            3,
            2);
    assertThat(result(check(t, Map.of(), SAFE_MASTER), "replica-priority").level())
        .isEqualTo(Level.FAIL);
  }

  @Test
  void disagreeingSentinelsFailAndSharedHostsWarn() {
    Topology t =
        Topologies.withSentinels(
            healthy(),
            List.of(
                Topologies.sentinel("10.0.1.1", true),
                new Topology.SentinelState(
                    "10.0.1.1",
                    26380,
                    true,
                    true,
                    null,
                    null,
                    "10.0.0.2:6379",
                    4,
                    java.util.Set.of()),
                Topologies.sentinel("10.0.1.3", false)));
    List<CheckResult> r = check(t, Map.of(), SAFE_MASTER);
    assertThat(result(r, "agreement").level()).isEqualTo(Level.FAIL);
    assertThat(result(r, "distinct-hosts").level()).isEqualTo(Level.WARN);
    assertThat(result(r, "sentinels-reachable").level()).isEqualTo(Level.WARN);
    assertThat(result(r, "sentinels-reachable").reason())
        .contains("1 of 3 sentinels do not answer");
  }

  @Test
  void unlinkedReplicasWarnAndNoReplicaFails() {
    Topology t =
        Topologies.of(
            master(6379),
            List.of(
                replica("10.0.0.2", 6379, 1, 100, "err"),
                replica("10.0.0.3", 6379, 1, 100, "ok", "s_down")),
            3,
            2);
    List<CheckResult> r = check(t, Map.of(), SAFE_MASTER);
    assertThat(result(r, "replica 10.0.0.2:6379").level()).isEqualTo(Level.WARN);
    assertThat(result(r, "replica 10.0.0.3:6379").reason()).contains("s_down");
    assertThat(
            result(
                    check(Topologies.of(master(6379), List.of(), 3, 2), Map.of(), SAFE_MASTER),
                    "replicas")
                .level())
        .isEqualTo(Level.FAIL);
  }

  private static Topology withOwn(Topology t, List<ArchiverAnnouncement.Attached> own) {
    return new Topology(
        t.masterName(),
        t.master(),
        t.replicas(),
        t.sentinels(),
        t.quorum(),
        t.configEpoch(),
        t.downAfter(),
        t.failoverTimeout(),
        t.masterReplOffset(),
        t.observedAt(),
        t.stale(),
        t.staleReason(),
        own);
  }

  private static final ArchiverAnnouncement.Attached ARCHIVER =
      new ArchiverAnnouncement.Attached(
          ArchiverAnnouncement.Kind.ARCHIVER, "10.0.0.1", -1, "online", 100, 0, 0L);

  @Test
  void anArchiverPassesAndIsNeitherABrokenReplicaNorACandidate() {
    List<CheckResult> r =
        check(
            withOwn(healthy(), List.of(ARCHIVER)),
            Map.of("10.0.1.1:26379", "OK 3 usable Sentinels."),
            Map.of("min-replicas-to-write", "2", "save", "3600 1", "appendonly", "yes"));
    assertThat(r).allSatisfy(c -> assertThat(c.level()).as(c.toString()).isEqualTo(Level.PASS));
    assertThat(result(r, "archiver 10.0.0.1").reason())
        .contains("online")
        .contains("never promote");
    assertThat(result(r, "replica-priority").reason()).isEqualTo("2 of 2 replicas can be promoted");
  }

  @Test
  void anArchiverAloneIsNoReplicaToFailOverTo() {
    List<CheckResult> r =
        check(
            withOwn(Topologies.of(master(6379), List.of(), 3, 2), List.of(ARCHIVER)),
            Map.of(),
            SAFE_MASTER);
    CheckResult c = result(r, "replicas");
    assertThat(c.level()).isEqualTo(Level.FAIL);
    assertThat(c.reason()).contains("the archiver is none");
  }

  @Test
  void minReplicasMetByTheArchiverAloneWarns() {
    CheckResult c =
        result(check(withOwn(healthy(), List.of(ARCHIVER)), Map.of(), SAFE_MASTER), "min-replicas");
    assertThat(c.level()).isEqualTo(Level.WARN);
    assertThat(c.reason()).contains("met by the archiver alone").contains("at least 2");
  }

  @Test
  void aPortZeroPhantomWarnsWithTheCureAndIsNoCandidate() {
    Topology t =
        Topologies.of(
            master(6379),
            List.of(
                replica("10.0.0.2", 6379, 100, 100, "ok"),
                replica("10.0.0.9", 0, 0, 100, "err", "s_down", "disconnected")),
            3,
            2);
    List<CheckResult> r = check(t, Map.of(), SAFE_MASTER);
    CheckResult c = result(r, "replica 10.0.0.9:0");
    assertThat(c.level()).isEqualTo(Level.WARN);
    assertThat(c.reason())
        .contains("announced no listening port")
        .contains("SENTINEL RESET mymaster");
    assertThat(result(r, "replica-priority").reason()).isEqualTo("1 of 1 replicas can be promoted");
  }
}
