package io.redisops.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.secret.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedisEndpointTest {

  @Test
  void parsesHostAndPort() {
    RedisEndpoint ep = RedisEndpoint.parse("redis://cache.example.com:6380");
    assertThat(ep.host()).isEqualTo("cache.example.com");
    assertThat(ep.port()).isEqualTo(6380);
    assertThat(ep.tls()).isFalse();
    assertThat(ep.username()).isNull();
    assertThat(ep.password()).isNull();
    assertThat(ep.caFile()).isNull();
    assertThat(ep).hasToString("redis://cache.example.com:6380");
  }

  @Test
  void portDefaultsTo6379() {
    RedisEndpoint ep = RedisEndpoint.parse("redis://10.0.0.5");
    assertThat(ep.host()).isEqualTo("10.0.0.5");
    assertThat(ep.port()).isEqualTo(6379);
  }

  @Test
  void redissMeansTls() {
    RedisEndpoint ep = RedisEndpoint.parse("rediss://secure.example.com:6390");
    assertThat(ep.tls()).isTrue();
    assertThat(ep.port()).isEqualTo(6390);
    assertThat(ep).hasToString("rediss://secure.example.com:6390");
  }

  @Test
  void userAndPassword() {
    RedisEndpoint ep = RedisEndpoint.parse("redis://backup:s3cret@h:1234");
    assertThat(ep.username()).isEqualTo("backup");
    assertThat(ep.password()).isEqualTo(Secret.of("s3cret"));
    assertThat(ep.passwordIfAny()).contains(Secret.of("s3cret"));
    assertThat(ep).hasToString("redis://backup@h:1234");
  }

  @Test
  void aUserWithAnEmptyPasswordLeavesThePasswordToTheFileOrTheEnvironment() {
    RedisEndpoint ep = RedisEndpoint.parse("redis://backup:@h:1");
    assertThat(ep.username()).isEqualTo("backup");
    assertThat(ep.password()).isNull();
    assertThat(ep.authCommand()).containsExactly("AUTH", "backup", "");
    assertThat(ep.withPassword(Secret.of("from-file")).authCommand())
        .containsExactly("AUTH", "backup", "from-file");
    assertThat(ep).hasToString("redis://backup@h:1");
  }

  @Test
  void noCredentialsSendNoAuth() {
    assertThat(RedisEndpoint.parse("redis://h:1").authCommand()).isEmpty();
    assertThat(RedisEndpoint.parse("redis://:pw@h:1").authCommand()).containsExactly("AUTH", "pw");
  }

  @Test
  void passwordOnlyWithEmptyUser() {
    RedisEndpoint ep = RedisEndpoint.parse("redis://:pw@h:1");
    assertThat(ep.username()).isNull();
    assertThat(ep.password().reveal()).isEqualTo("pw");
    assertThat(ep).hasToString("redis://h:1");
  }

  @Test
  void passwordOnlyWithoutColonAsRedisCliAccepts() {
    RedisEndpoint ep = RedisEndpoint.parse("redis://pw@h:1");
    assertThat(ep.username()).isNull();
    assertThat(ep.password().reveal()).isEqualTo("pw");
    assertThat(ep).hasToString("redis://h:1");
  }

  @Test
  void urlEncodedPasswordIsDecoded() {
    RedisEndpoint ep = RedisEndpoint.parse("redis://u:p%40ss%3Aw%2Fo+rd@h:1");
    assertThat(ep.username()).isEqualTo("u");
    assertThat(ep.password().reveal()).isEqualTo("p@ss:w/o+rd");
    assertThat(ep.toString())
        .doesNotContain("p@ss")
        .doesNotContain("p%40ss")
        .isEqualTo("redis://u@h:1");
  }

  @Test
  void bareHostAndPort() {
    RedisEndpoint ep = RedisEndpoint.parse("127.0.0.1:7000");
    assertThat(ep.host()).isEqualTo("127.0.0.1");
    assertThat(ep.port()).isEqualTo(7000);
    assertThat(ep.tls()).isFalse();
  }

  @Test
  void surroundingBlanksAreIgnored() {
    assertThat(RedisEndpoint.parse("  redis://h:1 \n").address()).isEqualTo("h:1");
  }

  @Test
  void ipv6LiteralBare() {
    RedisEndpoint ep = RedisEndpoint.parse("[::1]:7000");
    assertThat(ep.host()).isEqualTo("::1");
    assertThat(ep.port()).isEqualTo(7000);
    assertThat(ep.address()).isEqualTo("[::1]:7000");
    assertThat(ep).hasToString("redis://[::1]:7000");
  }

  @Test
  void ipv6LiteralInUri() {
    RedisEndpoint ep = RedisEndpoint.parse("rediss://u:pw@[fe80::1]:6380");
    assertThat(ep.host()).isEqualTo("fe80::1");
    assertThat(ep).hasToString("rediss://u@[fe80::1]:6380");
  }

  @Test
  void defaultUri() {
    RedisEndpoint ep = RedisEndpoint.parse(RedisEndpoint.DEFAULT_URI);
    assertThat(ep.address()).isEqualTo("127.0.0.1:6379");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://h:1", "tcp://h:6379", "unix://redis.sock", "unix://"})
  void badSchemeIsUsageError(String uri) {
    assertUsage(uri);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void emptyIsUsageError(String uri) {
    assertThat(assertUsage(uri).getMessage()).contains("empty");
  }

  @Test
  void nullIsUsageError() {
    assertUsage(null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"redis://h:0", "redis://h:65536", "redis://h:70000", "h:99999"})
  void portOutOfRangeIsUsageError(String uri) {
    assertThat(assertUsage(uri).getMessage()).contains("out of range");
  }

  @Test
  void highestPortIsAccepted() {
    assertThat(RedisEndpoint.parse("redis://h:65535").port()).isEqualTo(65535);
  }

  @Test
  void withPasswordAndCaFileKeepTheRest() {
    RedisEndpoint ep =
        RedisEndpoint.parse("rediss://u:old@h:1")
            .withPassword(Secret.of("pw"))
            .withCaFile(java.nio.file.Path.of("/etc/ca.pem"));
    assertThat(ep.tls()).isTrue();
    assertThat(ep.username()).isEqualTo("u");
    assertThat(ep.password().reveal()).isEqualTo("pw");
    assertThat(ep.caFile()).hasToString("/etc/ca.pem");
    assertThat(ep.toString()).doesNotContain("pw");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "redis://user:hunter2@h:1",
        "rediss://:hunter2@h:1",
        "redis://hunter2@h:1",
        "redis://user:hunter2@[::1]:1"
      })
  void toStringNeverShowsThePassword(String uri) {
    RedisEndpoint ep = RedisEndpoint.parse(uri);
    assertThat(ep.password().reveal()).isEqualTo("hunter2");
    assertThat(ep.toString()).doesNotContain("hunter2");
  }

  /**
   * URIs that are refused while carrying a password: the message must not repeat any part of it.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "redis://user:hunt er2@h:1", // not a valid URI (space)
        "redis://user:hunter2@h:abc", // no usable host/port
        "redis://:hun@ter2@h:1", // unencoded '@' in the password
        "redis://:hun/ter2@h:1", // unencoded '/' in the password
        "hunter2@h:abc", // bare form, no scheme
        "user:hunter2@h:abc", // bare form with user
        "redis://user:hunter2@:6379", // empty host
        "redis://user:hunter2@h:0"
      }) // port out of range
  void errorMessagesNeverShowThePassword(String uri) {
    RedisOpsException e = assertUsage(uri);
    assertThat(e.getMessage())
        .doesNotContain("hunter2")
        .doesNotContain("hunt")
        .doesNotContain("ter2");
  }

  @Test
  void errorMessageStillShowsWhereTheProblemIs() {
    RedisOpsException e = assertUsage("redis://user:hunter2@h:abc");
    assertThat(e.getMessage()).contains("h:abc").contains("****");
  }

  private static RedisOpsException assertUsage(String uri) {
    RedisOpsException e =
        catchThrowableOfType(RedisOpsException.class, () -> RedisEndpoint.parse(uri));
    assertThat(e).as("parse(%s) should be refused", uri).isNotNull();
    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
    return e;
  }

  @Test
  void unixSocketsWithAndWithoutCredentials() {
    RedisEndpoint plain = RedisEndpoint.parse("unix:///run/redis/redis-server.sock");
    assertThat(plain.isSocket()).isTrue();
    assertThat(plain.socket()).isEqualTo(java.nio.file.Path.of("/run/redis/redis-server.sock"));
    assertThat(plain.onThisHost()).isTrue();
    assertThat(plain.toString()).isEqualTo("unix:///run/redis/redis-server.sock");
    assertThat(plain.address()).isEqualTo("/run/redis/redis-server.sock");

    RedisEndpoint auth = RedisEndpoint.parse("unix://ops:s3cr%40t@/run/redis.sock?db=0");
    assertThat(auth.username()).isEqualTo("ops");
    assertThat(auth.passwordIfAny().orElseThrow().reveal()).isEqualTo("s3cr@t");
    assertThat(auth.socket()).isEqualTo(java.nio.file.Path.of("/run/redis.sock"));
    assertThat(auth.toString()).isEqualTo("unix://ops@/run/redis.sock").doesNotContain("s3cr");
    assertThat(auth.withUsername(null).username()).isNull();
    assertThat(auth.withPassword(null).socket()).isEqualTo(auth.socket());

    RedisOpsException relative =
        catchThrowableOfType(
            RedisOpsException.class, () -> RedisEndpoint.parse("unix://pw@run/redis.sock"));
    assertThat(relative.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(relative.getMessage()).contains("unix:///path/to/redis.sock").doesNotContain("pw@");
  }

  @Test
  void aPortThatIsNotANumberIsNamed() {
    RedisOpsException port =
        catchThrowableOfType(
            RedisOpsException.class, () -> RedisEndpoint.parse("redis://127.0.0.1:abc"));
    assertThat(port.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(port.getMessage())
        .contains("port that is not a number")
        .doesNotContain("has no host");
  }
}
