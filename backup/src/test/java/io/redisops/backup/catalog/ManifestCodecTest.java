package io.redisops.backup.catalog;

import static io.redisops.backup.fixtures.TestManifests.manifest;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {
  private static final Instant T = Instant.parse("2026-11-22T11:00:00.123Z");

  private static Manifest roundTrip(Manifest m) throws IOException {
    return ManifestCodec.fromJson(new ByteArrayInputStream(ManifestCodec.toJson(m)));
  }

  @Test
  void roundTripKeepsEveryField() throws IOException {
    Manifest m = manifest("cache", "20261122T110000Z", T, Tier.HOURLY, Tier.DAILY);
    assertThat(roundTrip(m)).isEqualTo(m);
  }

  @Test
  void roundTripWithoutOptionalFields() throws IOException {
    Manifest full = manifest("cache", "20261122T110000Z", T, Tier.MANUAL);
    Manifest m =
        new Manifest(
            full.formatVersion(),
            full.id(),
            full.dataset(),
            full.snapshotTime(),
            null,
            full.tiers(),
            full.method(),
            new Manifest.Source("h", 1, "master", null, null, null, null),
            full.rdbVersion(),
            full.object(),
            full.rawSize(),
            full.storedSize(),
            full.compression(),
            full.encryption(),
            full.rawSha256(),
            full.storedSha256(),
            null,
            false,
            full.keys(),
            full.expires(),
            full.totalKeys(),
            full.durationMs(),
            full.toolVersion());
    assertThat(roundTrip(m)).isEqualTo(m);
    assertThat(new String(ManifestCodec.toJson(m), UTF_8)).doesNotContain("null");
  }

  @Test
  void fieldNamesAreSnakeCaseAndTimesAreIsoStrings() throws IOException {
    Manifest m = manifest("cache", "20261122T110000Z", T, Tier.DAILY, Tier.HOURLY);
    JsonNode json = ManifestCodec.mapper().readTree(ManifestCodec.toJson(m));

    assertThat(json.get("format_version").asInt()).isEqualTo(1);
    assertThat(json.get("raw_sha256").asText()).isEqualTo("aa".repeat(32));
    assertThat(json.get("stored_sha256").asText()).isEqualTo("bb".repeat(32));
    assertThat(json.get("snapshot_time").isTextual()).isTrue();
    assertThat(json.get("snapshot_time").asText()).isEqualTo("2026-11-22T11:00:00.123Z");
    assertThat(json.get("completed_at").asText()).isEqualTo("2026-11-22T11:00:02.123Z");
    assertThat(json.get("tiers").isArray()).isTrue();
    assertThat(json.get("tiers")).extracting(JsonNode::asText).containsExactly("hourly", "daily");
    assertThat(json.get("source").get("run_id").asText()).isEqualTo("run1");
    assertThat(json.get("source").get("redis_version").asText()).isEqualTo("7.0.15");
    assertThat(json.get("key_counts_available").asBoolean()).isTrue();
    assertThat(json.get("keys").get("3").asLong()).isEqualTo(2);
    assertThat(json.has("rawSha256")).isFalse();
    assertThat(json.has("snapshotTime")).isFalse();
  }

  @Test
  void unknownFieldsAreIgnored() throws IOException {
    Manifest m = manifest("cache", "20261122T110000Z", T, Tier.HOURLY);
    com.fasterxml.jackson.databind.node.ObjectNode json =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            ManifestCodec.mapper().readTree(ManifestCodec.toJson(m));
    json.put("added_in_a_later_version", "x");
    json.putObject("nested_future_thing").put("a", 1);
    ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("source"))
        .put("future_source_field", true);

    Manifest back =
        ManifestCodec.fromJson(
            new ByteArrayInputStream(ManifestCodec.mapper().writeValueAsBytes(json)));

    assertThat(back).isEqualTo(m);
  }
}
