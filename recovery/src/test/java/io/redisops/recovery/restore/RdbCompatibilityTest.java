package io.redisops.recovery.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.fixtures.TestManifests;
import io.redisops.redis.ServerIdentity;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which server loads which backup: Redis by RDB version, Valkey by magic, version and foreign
 * types.
 */
class RdbCompatibilityTest {
  private static final ServerIdentity REDIS_70 =
      ServerIdentity.of(Map.of("redis_version", "7.0.15"));
  private static final ServerIdentity REDIS_80 =
      ServerIdentity.of(Map.of("redis_version", "8.0.6"));
  private static final ServerIdentity REDIS_86 =
      ServerIdentity.of(Map.of("redis_version", "8.6.3"));
  private static final ServerIdentity VALKEY_81 =
      ServerIdentity.of(
          Map.of("redis_version", "7.2.4", "server_name", "valkey", "valkey_version", "8.1.1"));
  private static final ServerIdentity VALKEY_91 =
      ServerIdentity.of(
          Map.of("redis_version", "7.2.4", "server_name", "valkey", "valkey_version", "9.1.2"));
  private static final ServerIdentity VALKEY_92 =
      ServerIdentity.of(
          Map.of("redis_version", "7.2.4", "server_name", "valkey", "valkey_version", "9.2.0"));

  private static Manifest backup(String engine, int version, List<Integer> types) {
    return TestManifests.builder("ds", "20261201T100000Z")
        .source(new Manifest.Source("h", 1, "master", "r", "x", 0L, "7.2.4", engine, "9.1.2"))
        .rdbVersion(version)
        .engine(engine)
        .verification("full", null)
        .valueTypes(types)
        .build();
  }

  private static Optional<String> refusal(ServerIdentity target, Manifest m) {
    return RdbCompatibility.refusal(target, m, false);
  }

  @Test
  void valkeyReportsItsOwnVersionNotTheCompatibilityOne() {
    assertThat(VALKEY_91.isValkey()).isTrue();
    assertThat(VALKEY_91.version()).isEqualTo("9.1.2");
    assertThat(VALKEY_91.describe()).isEqualTo("Valkey 9.1.2");
    assertThat(REDIS_86.describe()).isEqualTo("Redis 8.6.3");
  }

  @Test
  void redisLoadsItsOwnRdbVersionAndOlderOnly() {
    assertThat(refusal(REDIS_70, backup("redis", 10, List.of()))).isEmpty();
    assertThat(refusal(REDIS_70, backup("redis", 12, List.of())))
        .get()
        .asString()
        .contains("Redis 7.0.15 loads RDB versions up to 10");
    assertThat(refusal(REDIS_80, backup("redis", 12, List.of(24)))).isEmpty();
    assertThat(refusal(REDIS_80, backup("redis", 13, List.of()))).isPresent();
    assertThat(refusal(REDIS_86, backup("redis", 13, List.of()))).isEmpty();
    assertThat(RdbCompatibility.maxLoadable("8.10.0")).isEqualTo(15);
    assertThat(RdbCompatibility.maxLoadable("8.8.1")).isEqualTo(14);
  }

  @Test
  void redisNeverLoadsTheValkeyMagic() {
    assertThat(refusal(REDIS_80, backup("valkey", 80, List.of())))
        .get()
        .asString()
        .contains("cannot load Valkey's VALKEY080");
    assertThat(refusal(REDIS_86, backup("valkey", 80, List.of()))).isPresent();
  }

  @Test
  void valkeyLoadsEleven80AndForeignVersionsOnlyWhenRelaxedAndWithoutForeignTypes() {
    assertThat(refusal(VALKEY_81, backup("redis", 11, List.of()))).isEmpty();
    assertThat(refusal(VALKEY_81, backup("valkey", 80, List.of()))).isPresent();
    assertThat(refusal(VALKEY_91, backup("valkey", 80, List.of(22)))).isEmpty();
    assertThat(refusal(VALKEY_91, backup("valkey", 81, List.of()))).isPresent();
    assertThat(refusal(VALKEY_92, backup("valkey", 81, List.of()))).isEmpty();
    assertThat(refusal(VALKEY_91, backup("redis", 11, List.of()))).isEmpty();
    assertThat(refusal(VALKEY_91, backup("redis", 12, List.of(0, 4))))
        .get()
        .asString()
        .contains("rdb-version-check relaxed");
    assertThat(RdbCompatibility.refusal(VALKEY_91, backup("redis", 12, List.of(0, 4)), true))
        .isEmpty();
    assertThat(RdbCompatibility.refusal(VALKEY_91, backup("redis", 12, List.of(0, 24)), true))
        .get()
        .asString()
        .contains("type 24");
  }

  @Test
  void aServerNewerThanTheTableJudgesForItself() {
    ServerIdentity redis9 = ServerIdentity.of(Map.of("redis_version", "9.0.0"));
    assertThat(refusal(redis9, backup("redis", 16, List.of()))).isEmpty();
    ServerIdentity odd = ServerIdentity.of(Map.of("redis_version", "unstable"));
    assertThat(refusal(odd, backup("redis", 16, List.of()))).isEmpty();
  }
}
