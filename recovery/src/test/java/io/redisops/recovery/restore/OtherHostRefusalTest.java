package io.redisops.recovery.restore;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import org.junit.jupiter.api.Test;

/**
 * A restore refuses a Redis at an address that is not this host's before it connects. The address
 * is a literal of TEST-NET-1 (RFC 5737): judging it reads only this host's interfaces, nothing is
 * sent to it.
 */
class OtherHostRefusalTest {
  @Test
  void aServerOfAnotherHostIsRefusedWithExit5() {
    assertThatThrownBy(
            () -> TargetProbe.refuseOtherHost(RedisEndpoint.parse("redis://192.0.2.1:6379")))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e ->
                org.assertj.core.api.Assertions.assertThat(e.exitCode())
                    .isEqualTo(ExitCode.REFUSED))
        .hasMessageContaining("192.0.2.1:6379 is not at an address of this host")
        .hasMessageContaining("run the restore on that host");
  }

  @Test
  void loopbackAndUnixSocketsAreThisHost() {
    assertThatCode(() -> TargetProbe.refuseOtherHost(RedisEndpoint.parse("redis://127.0.0.1:7000")))
        .doesNotThrowAnyException();
    assertThatCode(() -> TargetProbe.refuseOtherHost(RedisEndpoint.parse("redis://[::1]:7000")))
        .doesNotThrowAnyException();
    assertThatCode(
            () -> TargetProbe.refuseOtherHost(RedisEndpoint.parse("unix:///run/redis/redis.sock")))
        .doesNotThrowAnyException();
  }
}
