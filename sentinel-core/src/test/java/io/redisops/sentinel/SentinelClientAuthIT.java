package io.redisops.sentinel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lettuce.core.RedisConnectionException;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import io.redisops.secret.Secret;
import io.redisops.testkit.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Lettuce connections of {@link SentinelClient} (to sentinels, and to the servers they name)
 * log in as {@link io.redisops.redis.RedisConnector} does: an ACL user named without a password
 * sends {@code AUTH user ""}, so a {@code nopass} user is logged in and any other is refused, never
 * left connected as the default user.
 */
class SentinelClientAuthIT {
  @TempDir static Path tmp;
  static RedisServer redis;

  @BeforeAll
  static void start() {
    redis =
        RedisServer.builder()
            .dir(tmp.resolve("redis"))
            .password("default-pw")
            .aclUser("probe", "probepw", "on", "~*", "+@all")
            .config("user", "watcher on nopass ~* +@all")
            .start();
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
  }

  private static RedisEndpoint as(String user, String password) {
    return new RedisEndpoint(
        "127.0.0.1",
        redis.port(),
        false,
        user,
        password == null ? null : Secret.of(password),
        null);
  }

  private static String whoami(SentinelClient client, RedisEndpoint ep) {
    return client.withRedis(ep, c -> c.aclWhoami());
  }

  /** Each exception of the chain as "Class: message", so a failure shows why in a short line. */
  private static List<String> causes(Throwable t) {
    List<String> out = new ArrayList<>();
    for (Throwable c = t; c != null && out.size() < 10; c = c.getCause()) {
      out.add(c.getClass().getSimpleName() + ": " + c.getMessage());
    }
    return out;
  }

  /** The server's own record of refused logins: ACL LOG entries with reason "auth", by user. */
  private static List<Object> refusedLogins() {
    List<Object> users = new ArrayList<>();
    for (Map<String, Object> entry : redis.sync().aclLog()) {
      if ("auth".equals(String.valueOf(entry.get("reason")))) {
        users.add(entry.get("username"));
      }
    }
    return users;
  }

  @Test
  void anAclUserWithoutAPasswordLogsInAsItselfOrIsRefused() {
    // a generous timeout: CI runs two test forks on two cores, and the refusal must not be confused
    // with a slow answer
    try (SentinelClient client = new SentinelClient(Duration.ofSeconds(15))) {
      redis.sync().aclLogReset();
      assertThat(whoami(client, as("watcher", null))).isEqualTo("watcher");
      assertThat(whoami(client, as("probe", "probepw"))).isEqualTo("probe");
      assertThat(whoami(client, as(null, "default-pw"))).isEqualTo("default");
      assertThat(refusedLogins()).as("refused logins before the password-less one").isEmpty();

      Throwable refused = catchThrowable(() -> whoami(client, as("probe", null)));
      assertThat(refused).as("a password-less login as probe").isNotNull();
      assertThat(refusedLogins())
          .as("the server refused probe's empty password; the client saw %s", causes(refused))
          .contains("probe");
      // Lettuce's handshake may report the refusal as "Connection closed prematurely" (CI met it
      // twice, docs/redis-facts.md); SentinelClient then asks the server, so WRONGPASS is named
      assertThat(causes(refused))
          .as("why the login failed, cause by cause")
          .anyMatch(m -> m.contains("WRONGPASS"));
    }
  }

  /** Lettuce's report of a handshake whose channel closed, as CI saw it. */
  private static RedisConnectionException closedPrematurely() {
    return new RedisConnectionException(
        "Unable to connect to 127.0.0.1/<unresolved>:" + redis.port(),
        new RedisConnectionException("Connection closed prematurely"));
  }

  @Test
  void aHandshakeClosedOnRefusedCredentialsIsExplainedByTheServersOwnAnswer() {
    try (SentinelClient client = new SentinelClient(Duration.ofSeconds(15))) {
      RuntimeException why = client.closedLogin(as("probe", null), closedPrematurely());
      assertThat(why)
          .isInstanceOf(RedisOpsException.class)
          .hasMessageContaining("refused the credentials: WRONGPASS")
          .hasMessageContaining("probe@");

      RuntimeException wrong =
          client.closedLogin(as(null, "not-the-password"), closedPrematurely());
      assertThat(wrong)
          .hasMessageContaining("WRONGPASS")
          .hasMessageNotContaining("not-the-password");
    }
  }

  @Test
  void otherConnectFailuresAreLeftAsLettuceReportedThem() {
    try (SentinelClient client = new SentinelClient(Duration.ofSeconds(15))) {
      RedisConnectionException accepted = closedPrematurely();
      assertThat(client.closedLogin(as("probe", "probepw"), accepted))
          .as("credentials the server accepts: the closed connection is not blamed on them")
          .isSameAs(accepted);
      RedisConnectionException refusedPort =
          new RedisConnectionException(
              "Unable to connect to 127.0.0.1:1",
              new java.net.ConnectException("Connection refused"));
      assertThat(client.closedLogin(as("probe", null), refusedPort))
          .as("not a closed handshake: nothing to ask")
          .isSameAs(refusedPort);
    }
  }
}
