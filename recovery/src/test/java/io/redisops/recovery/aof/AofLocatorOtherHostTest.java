package io.redisops.recovery.aof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import org.junit.jupiter.api.Test;

/**
 * The AOF tools refuse the files of a Redis at an address that is not this host's (the same path
 * here may hold another Redis' AOF). TEST-NET-1 literal: nothing is sent to it.
 */
class AofLocatorOtherHostTest {
  @Test
  void anotherHostsRedisIsNotFoundHere() {
    assertThatThrownBy(
            () -> AofLocator.refuseOtherHost(RedisEndpoint.parse("redis://192.0.2.1:6379")))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.NOT_FOUND))
        .hasMessageContaining("is not at an address of this host")
        .hasMessageContaining("--dir");
    assertThatCode(() -> AofLocator.refuseOtherHost(RedisEndpoint.parse("redis://127.0.0.1:7000")))
        .doesNotThrowAnyException();
  }
}
