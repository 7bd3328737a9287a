package io.redisops.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.backup.catalog.Tier;
import io.redisops.error.RedisOpsException;
import io.redisops.storage.s3.S3Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsiteConfigTest {
  @TempDir Path tmp;

  private Settings load(String yaml, Map<String, String> env) throws Exception {
    Path f = Files.writeString(tmp.resolve("c.yaml"), yaml);
    return Settings.resolve(ConfigLoader.load(f), Settings.Overrides.none(), env);
  }

  @Test
  void defaultsAndOffsiteRetentionFollowingTheLocalTiers() throws Exception {
    Settings s =
        load(
            "offsite:\n  uri: s3://my-bucket/a/b/\nretention:\n  hourly: 12h\n  offsite-daily: 90d\n",
            Map.of());
    S3Settings s3 = s.offsite().orElseThrow().s3();
    assertThat(s3.bucket()).isEqualTo("my-bucket");
    assertThat(s3.prefix()).isEqualTo("a/b");
    assertThat(s3.endpoint()).isEmpty();
    assertThat(s3.region()).isEqualTo("us-east-1");
    assertThat(s3.pathStyle()).isFalse();
    assertThat(s3.credentials()).isInstanceOf(S3Settings.Credentials.DefaultChain.class);
    assertThat(s3.storageClass()).isEqualTo("STANDARD");
    assertThat(s3.sse()).isEqualTo("none");
    assertThat(s3.trailingChecksum()).as("offsite.checksum: crc32c by default").isTrue();
    assertThat(s.offsite().orElseThrow().retention().maxAge(Tier.HOURLY))
        .contains(Duration.ofHours(12));
    assertThat(s.offsite().orElseThrow().retention().maxAge(Tier.DAILY))
        .contains(Duration.ofDays(90));
    assertThat(s.retention().maxAge(Tier.DAILY)).contains(Duration.ofDays(30));
    assertThat(load("repository:\n  path: /x\n", Map.of()).offsite()).isEmpty();
  }

  @Test
  void credentialsAreReadWhenUsedAndNeverPrinted() throws Exception {
    String yaml =
        "offsite:\n  uri: s3://bkt\n  endpoint: http://127.0.0.1:9000\n  credentials: env\n";
    Settings missing = load(yaml, Map.of());
    assertThatThrownBy(() -> missing.offsite().orElseThrow().s3())
        .isInstanceOf(RedisOpsException.class)
        .hasMessageContaining("REDIS_OPS_S3_SECRET_ACCESS_KEY");
    Settings s =
        load(
            yaml,
            Map.of(
                "REDIS_OPS_S3_ACCESS_KEY_ID",
                "AKID",
                "REDIS_OPS_S3_SECRET_ACCESS_KEY",
                "topsecret"));
    assertThat(s.offsite().orElseThrow().s3().credentials().toString()).doesNotContain("topsecret");
    assertThat(s.toString()).doesNotContain("topsecret");
    Path file =
        Files.writeString(
            tmp.resolve("cred"),
            "[default]\naws_access_key_id = AKF\naws_secret_access_key = filesecret\n");
    Settings f = load("offsite:\n  uri: s3://bkt\n  credentials: file:" + file + "\n", Map.of());
    S3Settings.Credentials.AccessKey k =
        (S3Settings.Credentials.AccessKey) f.offsite().orElseThrow().s3().credentials();
    assertThat(k.accessKeyId()).isEqualTo("AKF");
    assertThat(k.secretAccessKey().reveal()).isEqualTo("filesecret");
  }

  @Test
  void theChecksumIsCrc32cOrMd5() throws Exception {
    assertThat(
            load("offsite:\n  uri: s3://bkt\n  checksum: MD5\n", Map.of())
                .offsite()
                .orElseThrow()
                .s3()
                .trailingChecksum())
        .isFalse();
    assertThat(
            load("offsite:\n  uri: s3://bkt\n  checksum: crc32c\n", Map.of())
                .offsite()
                .orElseThrow()
                .s3()
                .trailingChecksum())
        .isTrue();
    assertThatThrownBy(() -> load("offsite:\n  uri: s3://bkt\n  checksum: sha1\n", Map.of()))
        .isInstanceOf(RedisOpsException.class)
        .hasMessageContaining("offsite.checksum")
        .hasMessageContaining("md5");
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> load("offsite:\n  uri: http://bkt\n", Map.of()))
        .hasMessageContaining("offsite.uri");
    assertThatThrownBy(() -> load("offsite:\n  uri: s3://bkt\n  sse: rot13\n", Map.of()))
        .hasMessageContaining("offsite.sse");
    assertThatThrownBy(() -> load("offsite:\n  uri: s3://bkt\n  kms-key-id: k\n", Map.of()))
        .hasMessageContaining("kms-key-id");
    assertThatThrownBy(() -> load("offsite:\n  uri: s3://bkt\n  endpoint: ftp://x\n", Map.of()))
        .hasMessageContaining("offsite.endpoint");
    assertThatThrownBy(
            () -> load("offsite:\n  uri: s3://bkt\n  credentials: AKIAEXAMPLE\n", Map.of()))
        .hasMessageContaining("offsite.credentials")
        .hasMessageNotContaining("AKIAEXAMPLE");
    assertThatThrownBy(() -> load("offsite:\n  endpoint: http://x:1\n", Map.of()))
        .hasMessageContaining("offsite.uri");
  }
}
