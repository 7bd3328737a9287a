package io.redisops.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PasswordGroupIT {

  @Test
  void aGroupWithOnePasswordForEverythingComesUpAndRefusesAnonymousClients() {
    try (RedisGroup group =
        RedisGroup.builder().replicas(1).sentinels(2).quorum(1).password("group-pw").start()) {
      RedisSentinel sentinel = group.sentinels().get(0);
      assertThat(sentinel.sync().getMasterAddrByName("mymaster").toString())
          .endsWith(":" + group.master().port());
      assertThatThrownBy(
              () ->
                  Resp.call(
                      "127.0.0.1", sentinel.port(), null, null, Duration.ofSeconds(2), "PING"))
          .hasMessageContaining("NOAUTH");
      assertThatThrownBy(
              () ->
                  Resp.call(
                      "127.0.0.1",
                      group.master().port(),
                      null,
                      null,
                      Duration.ofSeconds(2),
                      "PING"))
          .hasMessageContaining("NOAUTH");
    }
    assertThat(ProcessRegistry.alive()).isEmpty();
  }
}
