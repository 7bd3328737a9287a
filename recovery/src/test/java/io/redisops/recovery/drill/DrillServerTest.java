package io.redisops.recovery.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.fixtures.TestManifests;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Which program a drill loads a backup with: the real {@code redis-server} of this machine
 * (Debian's Redis 7.0, see docs/redis-facts.md) asked its version, held against the manifest's
 * source.
 */
class DrillServerTest {
  private static final Path REDIS = Path.of("/usr/bin/redis-server");

  private static Manifest from(String engine, String version) {
    return TestManifests.builder("cache", "20261201T000500Z")
        .source(
            new Manifest.Source(
                "127.0.0.1", 6379, "master", "run", "replid", 1L, version, engine, null))
        .build();
  }

  @Test
  void theSourcesEngineAndVersionAreRequired() {
    DrillServer s = DrillServer.probe(REDIS);
    assertThat(s.identity().engine()).isEqualTo("redis");
    assertThat(s.identity().version()).isEqualTo("7.0.15");
    assertThat(DrillServer.matches(s.identity(), from("redis", "7.0.15"))).isTrue();
    assertThat(DrillServer.matches(s.identity(), from("redis", "8.0.6"))).isFalse();
    assertThat(DrillServer.matches(s.identity(), from("valkey", "7.2.4"))).isFalse();
    assertThat(
            DrillServer.locate(from("redis", "7.0.15"), REDIS, null, Duration.ofSeconds(1))
                .executable())
        .isEqualTo(REDIS);
  }

  @Test
  void refusedNamingWhatWasFoundAndWhatToSet() {
    RedisOpsException wrong =
        catchThrowableOfType(
            RedisOpsException.class,
            () -> DrillServer.locate(from("redis", "8.0.6"), REDIS, null, Duration.ofSeconds(1)));
    assertThat(wrong.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(wrong.getMessage())
        .contains("drill.server " + REDIS + " is Redis 7.0.15")
        .contains("Redis 8.0.6");

    // nothing configured and the dataset's Redis does not answer: nothing at hand
    RedisOpsException none =
        catchThrowableOfType(
            RedisOpsException.class,
            () ->
                DrillServer.locate(
                    from("redis", "7.0.15"),
                    null,
                    RedisEndpoint.parse("redis://127.0.0.1:1"),
                    Duration.ofSeconds(1)));
    assertThat(none.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(none.getMessage())
        .startsWith("no server program of Redis 7.0.15")
        .contains("cannot be asked")
        .contains("set drill.server");
  }
}
