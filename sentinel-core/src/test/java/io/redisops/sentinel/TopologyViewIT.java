package io.redisops.sentinel;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.redis.RedisEndpoint;
import io.redisops.secret.Secret;
import io.redisops.testkit.Await;
import io.redisops.testkit.RedisGroupExtension;
import io.redisops.testkit.RedisSentinel;
import io.redisops.testkit.RedisServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The live view on a password-protected group (sentinels with requirepass, servers with auth-pass):
 * it reads the topology, turns stale when most sentinels go away, recovers when they come back
 * (subscriptions included), and follows a failover.
 */
class TopologyViewIT {
  @RegisterExtension
  // no space in the password: Sentinel 7.0 rewrites sentinel-pass unquoted and then cannot restart
  static final RedisGroupExtension group =
      RedisGroupExtension.builder().password("s3cret-pass").build();

  private static SentinelTarget target() {
    List<RedisEndpoint> nodes =
        group.sentinels().stream()
            .map(
                s ->
                    new RedisEndpoint(
                        s.host(), s.port(), false, null, Secret.of(group.password()), null))
            .toList();
    return new SentinelTarget(
        "mymaster",
        nodes,
        new RedisEndpoint("ignored", 1, false, null, Secret.of(group.password()), null));
  }

  @Test
  void theViewTurnsStaleWithoutAMajorityRecoversAndFollowsAFailover() {
    List<SentinelEvent> heard = new CopyOnWriteArrayList<>();
    List<Topology> changes = new CopyOnWriteArrayList<>();
    try (SentinelClient client = new SentinelClient();
        TopologyView view =
            new TopologyView(client, target(), Clock.systemUTC(), Duration.ofSeconds(1))) {
      view.addEventListener(heard::add);
      view.addListener(changes::add);
      view.start();
      Topology t = view.current();
      assertThat(t.stale()).isFalse();
      assertThat(t.master().port()).isEqualTo(group.master().port());
      assertThat(t.replicas())
          .extracting(Topology.Instance::port)
          .containsExactlyInAnyOrderElementsOf(
              group.replicas().stream().map(RedisServer::port).toList());
      assertThat(t.sentinels()).hasSize(3).allSatisfy(s -> assertThat(s.reachable()).isTrue());

      // the master's offset needs the servers' password: lag is known
      Topology probed = new TopologyReader(client, target(), Clock.systemUTC()).read(true);
      assertThat(probed.masterReplOffset()).isNotNull();
      assertThat(probed.replicas()).allSatisfy(r -> assertThat(r.lagBytes()).isNotNull());

      List<RedisSentinel> sentinels = group.sentinels();
      sentinels.get(1).stop();
      sentinels.get(2).stop();
      Await.until(
          Duration.ofSeconds(20),
          "the view to turn stale: 1 of 3 sentinels answered",
          () ->
              view.current().stale()
                  && view.current().staleReason().contains("1 of 3 sentinels answered"));

      sentinels.get(1).start();
      sentinels.get(2).start();
      Await.until(
          Duration.ofSeconds(30), "the view to be trusted again", () -> !view.current().stale());

      String old = view.current().master().address();
      heard.clear();
      // from a restarted sentinel: its events must reach us through the re-established subscription
      assertThat(sentinels.get(2).sync().failover("mymaster")).isEqualTo("OK");
      Await.until(
          Duration.ofSeconds(30),
          "the view to follow the failover",
          () -> !view.current().master().address().equals(old) && !view.current().stale());
      Await.until(
          Duration.ofSeconds(10),
          "+switch-master from every sentinel",
          () ->
              heard.stream()
                      .filter(e -> e.type().equals("+switch-master"))
                      .map(SentinelEvent::sentinel)
                      .distinct()
                      .count()
                  == 3);
      assertThat(changes).anySatisfy(c -> assertThat(c.master().address()).isNotEqualTo(old));
    }
  }

  @Test
  void anUnknownMasterNameIsNotFoundListingTheKnownNames() {
    try (SentinelClient client = new SentinelClient()) {
      TopologyReader reader =
          new TopologyReader(client, target().withMaster("other"), Clock.systemUTC());
      io.redisops.error.RedisOpsException e =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              io.redisops.error.RedisOpsException.class, () -> reader.read(false));
      assertThat(e.exitCode()).isEqualTo(io.redisops.error.ExitCode.NOT_FOUND);
      assertThat(e.getMessage()).contains("'other'").contains("they know: mymaster");
    }
  }
}
