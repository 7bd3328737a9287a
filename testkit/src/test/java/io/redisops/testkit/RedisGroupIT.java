package io.redisops.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisGroupIT {

  @RegisterExtension static final RedisGroupExtension group = RedisGroupExtension.builder().build();

  @Test
  void startsOneMasterTwoReplicasAndThreeSentinelsThatAgreeOnTheMaster() {
    assertThat(group.replicas()).hasSize(2);
    assertThat(group.sentinels()).hasSize(3);
    assertThat(group.masterName()).isEqualTo("mymaster");

    for (RedisSentinel sentinel : group.sentinels()) {
      InetSocketAddress address =
          (InetSocketAddress) sentinel.sync().getMasterAddrByName("mymaster");
      assertThat(address.getPort()).isEqualTo(group.master().port());
      assertThat(address.getHostString()).isEqualTo("127.0.0.1");
      assertThat((List<?>) sentinel.sentinel("sentinels", "mymaster")).hasSize(2);
      // settled means every sentinel has read each replica's link as up: no wait needed here
      assertThat(
              ((List<?>) sentinel.sentinel("replicas", "mymaster"))
                  .stream().filter(r -> r.toString().contains("master-link-status, ok")).count())
          .as("%s: replicas whose link it reads as ok", sentinel)
          .isEqualTo(2);
    }
    for (RedisServer replica : group.replicas()) {
      assertThat(replica.info("replication", "master_link_status")).isEqualTo("up");
    }
    assertThat(group.currentMaster()).isSameAs(group.master());
  }

  @Test
  void replicatesWrites() {
    group.master().sync().set("group-key", "v1");
    for (RedisServer replica : group.replicas()) {
      Await.until(
          Duration.ofSeconds(10),
          "replicated to " + replica,
          () -> "v1".equals(replica.sync().get("group-key")));
    }
  }
}
