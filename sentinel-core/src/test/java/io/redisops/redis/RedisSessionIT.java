package io.redisops.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.secret.Secret;
import io.redisops.testkit.Await;
import io.redisops.testkit.FreePorts;
import io.redisops.testkit.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RedisSession} over its hand-written RESP connection ({@link RespConnection}), against a
 * real redis-server reached over TCP and over its Unix socket: replies of every type, error
 * replies, credentials, a silent server, a close from another thread.
 */
class RedisSessionIT {
  private static final String PASSWORD = "pw-never-shown-91";
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @TempDir static Path tmp;
  static RedisServer redis;
  static Path socket;

  @BeforeAll
  static void start() {
    // a socket path must stay under 108 bytes: the temp folder may be long
    socket = Path.of("/tmp", "redis-ops-session-it-" + ProcessHandle.current().pid() + ".sock");
    redis =
        RedisServer.builder()
            .dir(tmp.resolve("redis"))
            .password(PASSWORD)
            .aclUser("probe", "probepw", "on", "~*", "+info", "+config|get")
            .config("unixsocket", "\"" + socket + "\"")
            .config("unixsocketperm", "700")
            .start();
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
  }

  private static RedisEndpoint tcp(String credentials) {
    return RedisEndpoint.parse("redis://" + credentials + "@127.0.0.1:" + redis.port());
  }

  private static RedisEndpoint unix() {
    return RedisEndpoint.parse("unix://:" + PASSWORD + "@" + socket);
  }

  @Test
  void everyReplyTypeOverTcpAndTheUnixSocket() {
    for (RedisEndpoint ep : List.of(tcp(":" + PASSWORD), unix())) {
      try (RedisSession s = RedisConnector.connect(ep, TIMEOUT)) {
        assertThat(s.command("SET", "k:" + ep.port(), "välue")).isEqualTo("OK");
        assertThat(s.command("GET", "k:" + ep.port())).isEqualTo("välue");
        assertThat(s.command("GET", "missing")).isNull();
        assertThat(s.command("INCR", "n:" + ep.port())).isEqualTo("1");
        assertThat(s.info("server")).containsKey("redis_version");
        assertThat(s.configGet("dir")).contains(redis.dir().toString());
        assertThat(s.configGet("no-such-setting")).isEmpty();
        assertThatThrownBy(() -> s.command("NOSUCHCOMMAND"))
            .isInstanceOfSatisfying(
                RedisErrorReply.class, e -> assertThat(e.code()).isEqualTo("ERR"));
        // an error reply leaves the connection usable
        assertThat(s.command("PING")).isEqualTo("PONG");
      }
    }
  }

  @Test
  void refusedCredentialsAreAUsageErrorWithoutThePassword() {
    assertThatThrownBy(() -> RedisConnector.connect(tcp(":wrong-pw-73"), TIMEOUT))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessageContaining("refused the credentials: WRONGPASS")
        .hasMessageNotContaining("wrong-pw-73");
    RedisEndpoint noPassword = RedisEndpoint.parse("redis://127.0.0.1:" + redis.port());
    assertThatThrownBy(() -> RedisConnector.connect(noPassword, TIMEOUT))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessageContaining("NOAUTH");
  }

  @Test
  void anAclUserNamedWithoutAPasswordIsRefusedNotLoggedInAsTheDefaultUser() {
    // redis://probe:@host with no password found elsewhere: AUTH probe "" (refused), never a
    // session as the default user
    assertThatThrownBy(() -> RedisConnector.connect(tcp("probe:"), TIMEOUT))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessageContaining("WRONGPASS");
    RedisEndpoint fromFile = tcp("probe:").withPassword(Secret.of("probepw"));
    try (RedisSession s = RedisConnector.connect(fromFile, TIMEOUT)) {
      assertThat(s.info("replication")).containsEntry("role", "master");
      assertThatThrownBy(() -> s.call(() -> s.command("BGSAVE"))).hasMessageContaining("NOPERM");
    }
  }

  @Test
  void anAclUserWithoutPingStillConnectsAndARefusedCommandSaysNoperm() {
    try (RedisSession s = RedisConnector.connect(tcp("probe:probepw"), TIMEOUT)) {
      assertThat(s.info("replication")).containsEntry("role", "master");
      assertThatThrownBy(() -> s.call(() -> s.command("BGSAVE")))
          .isInstanceOfSatisfying(
              RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
          .hasMessageContaining("NOPERM");
    }
  }

  @Test
  void noServerIsAFailureNamingTheServer() {
    int port = FreePorts.next();
    RedisEndpoint ep = RedisEndpoint.parse("redis://:" + PASSWORD + "@127.0.0.1:" + port);
    assertThatThrownBy(() -> RedisConnector.connect(ep, TIMEOUT))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED))
        .hasMessage(
            "unable to connect to Redis at redis://127.0.0.1:"
                + port
                + ": connection refused; check --redis and that the server runs");
    RedisEndpoint gone = RedisEndpoint.parse("unix:///tmp/redis-ops-no-such-" + port + ".sock");
    assertThatThrownBy(() -> RedisConnector.connect(gone, TIMEOUT))
        .isInstanceOf(RedisOpsException.class)
        .hasMessageContaining("no such socket file");
  }

  @Test
  void aSilentServerTimesOutOverTcpAndTheUnixSocket() {
    for (RedisEndpoint ep : List.of(tcp(":" + PASSWORD), unix())) {
      try (RedisSession s = RedisConnector.connect(ep, Duration.ofMillis(300))) {
        // another client pauses every client for 1 s: our INFO gets no answer within 300 ms
        redis.sync().clientPause(1000);
        assertThatThrownBy(() -> s.info("server"))
            .isInstanceOfSatisfying(
                RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED))
            .hasMessageContaining("did not answer within 300 ms");
      }
      // the pause ends by itself: this PING returns once it has
      assertThat(redis.sync().ping()).isEqualTo("PONG");
    }
  }

  @Test
  void closingFromAnotherThreadEndsABlockedCall() throws Exception {
    for (RedisEndpoint ep : List.of(tcp(":" + PASSWORD), unix())) {
      RedisSession s = RedisConnector.connect(ep, Duration.ofSeconds(60));
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  s.command("BLPOP", "never-pushed", "0");
                } catch (RuntimeException e) {
                  failure.set(e);
                }
              });
      t.start();
      // BLPOP is blocked once the server lists this client as blocked
      Await.until(
          Duration.ofSeconds(10),
          "the BLPOP to block",
          () -> "1".equals(redis.info("clients", "blocked_clients")));
      s.close();
      t.join(10_000);
      assertThat(t.isAlive()).isFalse();
      assertThat(failure.get())
          .isInstanceOf(RedisOpsException.class)
          .hasMessageContaining("connection lost");
    }
  }
}
