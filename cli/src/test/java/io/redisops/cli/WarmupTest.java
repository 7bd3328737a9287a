package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.ManifestCodec;
import io.redisops.backup.fixtures.TestManifests;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The start-up warm-up runs for the commands that use manifests, and only for them. */
class WarmupTest {
  @Test
  void startsForTheCommandsThatReadOrWriteManifests() {
    assertThat(Warmup.startFor("--repo", "/r", "backup", "--method", "bgsave")).isTrue();
    assertThat(Warmup.startFor("list")).isTrue();
    assertThat(Warmup.startFor("--dataset", "d", "restore", "--at", "11:00")).isTrue();
  }

  @Test
  void notForVersionHelpOrCommandsWithoutManifests() {
    assertThat(Warmup.startFor("--version")).isFalse();
    assertThat(Warmup.startFor("backup", "--help")).isFalse();
    assertThat(Warmup.startFor("sentinel", "status")).isFalse();
    assertThat(Warmup.startFor()).isFalse();
  }

  @Test
  void theCodecReadsAndWritesManifestsAlikeAfterItsWarmUp() throws Exception {
    ManifestCodec.warmUp();
    ManifestCodec.warmUp();
    Manifest m =
        TestManifests.manifest("cache", "20260101T000000Z", Instant.parse("2026-01-01T00:00:00Z"));
    byte[] json = ManifestCodec.toJson(m);
    assertThat(new String(json, StandardCharsets.UTF_8))
        .contains("\"dataset\" : \"cache\"", "\"id\" : \"20260101T000000Z\"");
    assertThat(ManifestCodec.fromJson(new ByteArrayInputStream(json))).isEqualTo(m);
  }
}
