package io.redisops.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.config.Settings.BackupFrom;
import io.redisops.sentinel.SentinelEvent;
import io.redisops.sentinel.Topology;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which server a Sentinel-monitored dataset backs up from, and failover events reaching the hook
 * once.
 */
class SentinelSourceChoiceTest {
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
    assertThat(SentinelSourceResolver.choose(t, BackupFrom.REPLICA))
        .map(Topology.Instance::host)
        .contains("b");
    assertThat(SentinelSourceResolver.choose(t, BackupFrom.MASTER))
        .map(Topology.Instance::host)
        .contains("m");
    Topology noReplica = topology(m, server("a", Set.of("slave"), "err", 100));
    assertThat(SentinelSourceResolver.choose(noReplica, BackupFrom.REPLICA))
        .map(Topology.Instance::host)
        .contains("m");
    Topology masterDown =
        topology(
            server("m", Set.of("master", "s_down"), null, -1),
            server("a", Set.of("slave"), "err", 1));
    assertThat(SentinelSourceResolver.choose(masterDown, BackupFrom.REPLICA)).isEmpty();
    assertThat(SentinelSourceResolver.choose(masterDown, BackupFrom.MASTER)).isEmpty();
  }

  @Test
  void eachFailoverEventReachesTheListenersOnceThoughEverySentinelPublishesIt() {
    List<String> heard = new ArrayList<>();
    List<FailoverListener> listeners = FailoverEvents.newList();
    listeners.add((dataset, e) -> heard.add(dataset + " " + e.type() + " from " + e.sentinel()));
    FailoverEvents events =
        new FailoverEvents("mymaster", Clock.fixed(T, ZoneOffset.UTC), listeners);
    for (String s : List.of("s1", "s2", "s3")) {
      events.onEvent(
          SentinelEvent.parse(T, s, "+switch-master", "mymaster 10.0.0.1 6379 10.0.0.2 6379"));
      events.onEvent(SentinelEvent.parse(T, s, "+sdown", "master mymaster 10.0.0.1 6379"));
    }
    events.onEvent(
        SentinelEvent.parse(T, "s1", "+odown", "master mymaster 10.0.0.1 6379 #quorum 2/2"));
    assertThat(heard).containsExactly("mymaster +switch-master from s1", "mymaster +odown from s1");
  }
}
