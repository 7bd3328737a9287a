package io.redisops.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisAuthIT {

  @RegisterExtension
  static final RedisServerExtension withPassword =
      RedisServerExtension.builder().password("s3cret pw").build();

  @RegisterExtension
  static final RedisServerExtension withAclUser =
      RedisServerExtension.builder()
          .aclUser("alice", "wonderland", "on", "~*", "&*", "+@all")
          .build();

  @Test
  void passwordServerRefusesAnonymousAndAcceptsThePassword() {
    assertThatThrownBy(
            () ->
                Resp.call(
                    "127.0.0.1",
                    withPassword.port(),
                    null,
                    null,
                    java.time.Duration.ofSeconds(2),
                    "GET",
                    "x"))
        .hasMessageContaining("NOAUTH");
    assertThat(withPassword.sync().set("k", "v")).isEqualTo("OK");
    assertThat(withPassword.uriWithCredentials())
        .isEqualTo("redis://:s3cret%20pw@127.0.0.1:" + withPassword.port());
    assertThat(ping(withPassword.uriWithCredentials())).isEqualTo("PONG");
    assertThatThrownBy(() -> ping(withPassword.uri())).isInstanceOf(RuntimeException.class);
  }

  @Test
  void aclServerRefusesAnonymousAndWrongPasswordAndAcceptsTheUser() {
    assertThatThrownBy(
            () ->
                Resp.call(
                    "127.0.0.1",
                    withAclUser.port(),
                    null,
                    null,
                    java.time.Duration.ofSeconds(2),
                    "GET",
                    "x"))
        .hasMessageContaining("NOAUTH");
    assertThatThrownBy(
            () ->
                Resp.call(
                    "127.0.0.1",
                    withAclUser.port(),
                    "alice",
                    "wrong",
                    java.time.Duration.ofSeconds(2),
                    "GET",
                    "x"))
        .hasMessageContaining("WRONGPASS");
    assertThat(withAclUser.username()).isEqualTo("alice");
    assertThat(withAclUser.sync().aclWhoami()).isEqualTo("alice");
    assertThat(withAclUser.uriWithCredentials())
        .isEqualTo("redis://alice:wonderland@127.0.0.1:" + withAclUser.port());
    assertThat(ping(withAclUser.uriWithCredentials())).isEqualTo("PONG");
  }

  private static String ping(String uri) {
    RedisClient client = RedisClient.create(LettuceResources.get(), RedisURI.create(uri));
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return connection.sync().ping();
    } catch (RedisConnectionException e) {
      throw e;
    } finally {
      client.shutdown();
    }
  }
}
