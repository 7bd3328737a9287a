package io.redisops.recovery.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.RedisServer;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * The stop of a real redis-server: it returns once the process has exited (not once the kernel has
 * closed its connection, after releasing its memory), and a refused {@code SHUTDOWN NOSAVE} fails
 * at once with the server's reply, the server still running.
 */
class ProcessControlIT {
  @Test
  void stopsRedisAndSaysWhenItRefusesTheShutdown() throws Exception {
    try (RedisServer s =
        RedisServer.builder()
            .aclUser("ops", "ops-secret", "on", "~*", "&*", "+@all")
            .aclUser("reader", "reader-secret", "on", "~*", "&*", "+@all", "-shutdown")
            .build()) {
      s.start();
      DataFixture.fill(s.sync(), 1);
      ProcessControl.Server server =
          new ProcessControl.Server(
              s.dir().toString(), s.configFile().toString(), null, null, null, null, "dump.rdb");
      long pid = s.pid();

      ProcessControl reader = control("reader:reader-secret", s, server);
      assertThatThrownBy(() -> reader.stop(false))
          .isInstanceOf(RedisOpsException.class)
          .hasMessageContaining("refused SHUTDOWN NOSAVE")
          .hasMessageContaining("NOPERM");
      assertThat(ProcessControl.alive(pid)).isTrue();
      assertThat(reader.runningPid()).isEqualTo(pid);

      ProcessControl ops = control("ops:ops-secret", s, server);
      assertThat(ops.stop(false)).isEqualTo("stopped (pid " + pid + ")");
      assertThat(ProcessControl.alive(pid)).isFalse();
      assertThat(ops.tryConnect()).isEmpty();
      assertThat(ops.stop(false)).isEqualTo("Redis was not running");
    }
  }

  private static ProcessControl control(
      String credentials, RedisServer s, ProcessControl.Server server) {
    return new ProcessControl(
        RedisEndpoint.parse("redis://" + credentials + "@" + s.host() + ":" + s.port()),
        server,
        ServiceCommands.defaults(),
        ProcessControl.Timeouts.defaults(),
        Clock.systemUTC());
  }
}
