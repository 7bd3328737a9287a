package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redisops.backup.rdb.Crc64;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.RedisServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newer or unknown format never stops backups: an RDB whose version is above the newest known
 * one, and one with a value type this redis-ops does not know, are stored with {@code verification:
 * checksum} when their CRC-64 matches, and shown so by {@code list} and {@code show}; the same
 * files with one flipped byte are refused (exit 3, nothing stored). The files are fed through
 * {@code import}, the way an operator's existing copies of a newer server arrive.
 */
class NewerFormatsCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  /**
   * A real Redis 7.0 RDB of every type whose header says version 16, with its CRC-64 recomputed.
   */
  private byte[] version16() throws Exception {
    // a fresh folder each time: a server started on the folder of the last one would load its
    // dump.rdb
    try (RedisServer redis =
        RedisServer.builder().dir(tmp.resolve("redis-" + System.nanoTime())).start()) {
      DataFixture.fill(redis.sync(), 1);
      redis.sync().save();
      byte[] rdb = Files.readAllBytes(redis.dir().resolve("dump.rdb"));
      assertThat(new String(rdb, 0, 9, StandardCharsets.US_ASCII)).isEqualTo("REDIS0010");
      rdb[7] = '1';
      rdb[8] = '6';
      return withCrc(rdb);
    }
  }

  /**
   * {@code REDIS0011}, one key of value type 99 (unknown to every server of today), EOF, CRC-64.
   */
  private static byte[] unknownType() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes("REDIS0011".getBytes(StandardCharsets.US_ASCII));
    b.write(0xFE); // SELECTDB 0
    b.write(0);
    b.write(99); // the unknown type
    b.write(3);
    b.writeBytes("key".getBytes(StandardCharsets.US_ASCII));
    b.writeBytes("a payload of a future type".getBytes(StandardCharsets.US_ASCII));
    b.write(0xFF);
    b.writeBytes(new byte[8]);
    return withCrc(b.toByteArray());
  }

  private static byte[] withCrc(byte[] rdb) {
    long crc = Crc64.of(Arrays.copyOf(rdb, rdb.length - 8));
    for (int i = 0; i < 8; i++) {
      rdb[rdb.length - 8 + i] = (byte) (crc >>> (8 * i));
    }
    return rdb;
  }

  @Test
  void newerVersionsAndUnknownTypesAreKeptAtChecksumLevelAndAFlippedByteIsRefused()
      throws Exception {
    Path repo = tmp.resolve("repo");
    Path good = Files.createDirectories(tmp.resolve("good"));
    Files.write(good.resolve("v16.rdb"), version16());
    Files.write(good.resolve("unknown-type.rdb"), unknownType());

    RedisOpsProcess.Result imported =
        RedisOpsProcess.run(
            "--repo",
            repo.toString(),
            "--dataset",
            "future",
            "--json",
            "import",
            "--tier",
            "manual",
            good.toString());
    assertThat(imported.exitCode()).as(imported.stdout() + imported.stderr()).isZero();

    RedisOpsProcess.Result list =
        RedisOpsProcess.run("--repo", repo.toString(), "--dataset", "future", "--json", "list");
    assertThat(list.exitCode()).as(list.stderr()).isZero();
    JsonNode backups = JSON.readTree(list.stdout()).get("backups");
    assertThat(backups).hasSize(2);
    for (JsonNode row : backups) {
      assertThat(row.get("verification").asText()).as(row.toString()).isEqualTo("checksum");
      assertThat(row.get("verification_note").asText()).as(row.toString()).isNotBlank();
    }
    JsonNode unknown =
        backups.findParents("rdb_format").stream()
            .filter(r -> r.get("rdb_format").asText().equals("REDIS0011"))
            .findFirst()
            .orElseThrow();
    assertThat(unknown.get("total_keys").isNull())
        .as("an unread key count is unknown, never 0")
        .isTrue();
    assertThat(unknown.get("verification_note").asText()).contains("0x63");
    JsonNode newer =
        backups.findParents("rdb_format").stream()
            .filter(r -> r.get("rdb_format").asText().equals("REDIS0016"))
            .findFirst()
            .orElseThrow();
    assertThat(newer.get("verification_note").asText()).contains("16");

    RedisOpsProcess.Result text =
        RedisOpsProcess.run("--repo", repo.toString(), "--dataset", "future", "list");
    assertThat(text.stdout()).contains("VERIFIED").contains("checksum");
    RedisOpsProcess.Result show =
        RedisOpsProcess.run(
            "--repo", repo.toString(), "--dataset", "future", "show", unknown.get("id").asText());
    assertThat(show.stdout())
        .contains("verification:   checksum")
        .contains("keys:           unknown");
    RedisOpsProcess.Result verify =
        RedisOpsProcess.run("--repo", repo.toString(), "--dataset", "future", "verify", "--all");
    assertThat(verify.exitCode()).as(verify.stdout() + verify.stderr()).isZero();

    Path bad = Files.createDirectories(tmp.resolve("bad"));
    byte[] v16 = version16();
    v16[v16.length / 2] ^= 0x01;
    Files.write(bad.resolve("v16-flipped.rdb"), v16);
    byte[] u = unknownType();
    u[15] ^= 0x01; // inside the unknown payload: only the CRC-64 can tell
    Files.write(bad.resolve("unknown-flipped.rdb"), u);
    RedisOpsProcess.Result refused =
        RedisOpsProcess.run(
            "--repo",
            repo.toString(),
            "--dataset",
            "future",
            "import",
            "--tier",
            "manual",
            bad.toString());
    assertThat(refused.exitCode()).as(refused.stdout() + refused.stderr()).isEqualTo(3);
    assertThat(refused.stdout() + refused.stderr())
        .contains("v16-flipped.rdb")
        .contains("unknown-flipped.rdb");
    RedisOpsProcess.Result after =
        RedisOpsProcess.run("--repo", repo.toString(), "--dataset", "future", "--json", "list");
    assertThat(JSON.readTree(after.stdout()).get("backups")).hasSize(2);
  }
}
