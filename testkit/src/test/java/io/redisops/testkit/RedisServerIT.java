package io.redisops.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisServerIT {

  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.builder().build();

  @Test
  void answersSetAndGet() {
    assertThat(redis.sync().set("greeting", "hello")).isEqualTo("OK");
    assertThat(redis.sync().get("greeting")).isEqualTo("hello");
    assertThat(redis.host()).isEqualTo("127.0.0.1");
    assertThat(redis.port()).isNotIn(6379, 26379);
    assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
    assertThat(redis.uriWithCredentials()).isEqualTo(redis.uri());
  }

  @Test
  void writesItsConfigAndLogIntoItsFolder() throws Exception {
    assertThat(redis.configFile()).startsWith(redis.dir());
    assertThat(Files.readString(redis.configFile()))
        .contains("port " + redis.port(), "bind 127.0.0.1", "daemonize no", "save \"\"");
    assertThat(redis.logTail(40)).contains("Ready to accept connections");
  }

  @Test
  void stopLeavesThePidDeadAndStartComesBackOnTheSamePort() {
    int port = redis.port();
    long pid = redis.pid();
    redis.sync().set("survives", "no: save is off");

    redis.stop();

    assertThat(redis.isAlive()).isFalse();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(ProcessRegistry.alive()).noneMatch(p -> p.pid() == pid);

    redis.start();

    assertThat(redis.port()).isEqualTo(port);
    assertThat(redis.pid()).isNotEqualTo(pid);
    assertThat(redis.sync().ping()).isEqualTo("PONG");
  }

  @Test
  void kill9ThenStartAgain() {
    long pid = redis.pid();
    redis.kill9();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    redis.start();
    assertThat(redis.sync().ping()).isEqualTo("PONG");
  }

  @Test
  void standaloneServerKeepsDataOverARestartWhenItSaves() {
    try (RedisServer server = RedisServer.builder().config("save", "3600 1").start()) {
      server.sync().set("k", "v");
      server.stop(); // SIGTERM: a real shutdown saves when save points are configured
      assertThat(server.dir().resolve("dump.rdb")).exists();
      server.start();
      assertThat(server.sync().get("k")).isEqualTo("v");
    }
  }

  @Test
  void aStartThatFailsReportsTheLogTail() {
    RedisServer broken =
        RedisServer.builder()
            .config("no-such-directive", "1")
            .startTimeout(Duration.ofSeconds(5))
            .build();
    try {
      assertThatThrownBy(broken::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("exited with code")
          .hasMessageContaining("no-such-directive");
    } finally {
      broken.close();
    }
  }

  @Test
  void refusesSettingsTheTestkitOwns() {
    assertThatThrownBy(() -> RedisServer.builder().config("port", "6379"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
