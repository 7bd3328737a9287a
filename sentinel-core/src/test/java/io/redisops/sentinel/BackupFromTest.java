package io.redisops.sentinel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which server a Sentinel-monitored dataset backs up from: the daemon's and the command's rule. */
class BackupFromTest {
  private static final Instant T = Instant.parse("2026-11-22T10:00:00Z");

  private static Topology.Instance server(
      String host, Set<String> flags, String link, long offset) {
    return new Topology.Instance(
        host, 6379, "run-" + host, flags, link, offset, null, 100, "m:6379");
  }

  private static Topology topology(Topology.Instance master, Topology.Instance... replicas) {
    return new Topology(
        "mymaster",
        master,
        List.of(replicas),
        List.of(),
        2,
        1,
        Duration.ofSeconds(5),
        Duration.ofMinutes(3),
        null,
        T,
        false,
        null);
  }

  @Test
  void replicaModeTakesTheHealthyReplicaWithTheLeastLagElseTheMaster() {
    Topology.Instance m = server("m", Set.of("master"), null, -1);
    Topology t =
        topology(
            m,
            server("a", Set.of("slave"), "ok", 100),
            server("b", Set.of("slave"), "ok", 120),
            server("c", Set.of("slave", "s_down"), "ok", 200));
    assertThat(BackupFrom.REPLICA.choose(t)).map(Topology.Instance::host).contains("b");
    assertThat(BackupFrom.MASTER.choose(t)).map(Topology.Instance::host).contains("m");
    Topology noReplica = topology(m, server("a", Set.of("slave"), "err", 100));
    assertThat(BackupFrom.REPLICA.choose(noReplica)).map(Topology.Instance::host).contains("m");
    Topology masterDown =
        topology(
            server("m", Set.of("master", "s_down"), null, -1),
            server("a", Set.of("slave"), "err", 1));
    assertThat(BackupFrom.REPLICA.choose(masterDown)).isEmpty();
    assertThat(BackupFrom.MASTER.choose(masterDown)).isEmpty();
  }
}
