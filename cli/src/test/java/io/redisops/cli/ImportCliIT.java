package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.redisops.backup.rdb.Crc64;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.KeyspaceDump;
import io.redisops.testkit.ProcessRegistry;
import io.redisops.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code redis-ops import} as a separate process (the real jar) on the folder layout of the
 * reference crontab scripts ({@code cp dump.rdb snapshotting/$(date +%Y%m%d%k)/}), filled with RDBs
 * a real redis-server saved, then {@code restore --at} into that server choosing among the imported
 * copies.
 *
 * <p>The copies are given the snapshot times the scripts would have seen: Redis wrote {@code ctime}
 * (the moment of the save) into each RDB, and the test sets it to a minute or two before its
 * folder's hour (the last save before the copy) and recomputes the CRC64, as Redis would have
 * written it then. Times are relative to now (retention and {@code --at} refuse the future), in a
 * zone that is not UTC, given to the child by {@code TZ}.
 */
class ImportCliIT {
  static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
  static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
  static final ObjectMapper JSON = new ObjectMapper();

  /** A 16-byte value (too short for LZF) whose bytes the damaged copy changes. */
  static final String DAMAGE_ME = "0123456789abcdef";

  @TempDir Path tmp;

  RedisServer redis;
  Path seeds;
  Path repo;
  Path config;
  LocalDate yesterday;
  LocalDate today;

  /** The keyspace of each saved state. */
  Map<String, Map<Integer, Map<String, KeyspaceDump.KeyState>>> states = new TreeMap<>();

  /** Folder name -> the RDB's ctime. */
  Map<String, Instant> ctimes = new TreeMap<>();

  @BeforeEach
  void seedsOfTheCrontabScripts() throws Exception {
    Path dir = tmp.resolve("redis");
    redis =
        RedisServer.builder()
            .dir(dir)
            .config("pidfile", "\"" + dir.resolve("redis.pid") + "\"")
            .start();
    repo = tmp.resolve("repo");
    seeds = tmp.resolve("snapshotting");
    today = LocalDate.now(ZONE);
    yesterday = today.minusDays(1);
    config = tmp.resolve("redis-ops.yaml");
    Files.writeString(
        config,
        "datasets:\n  - name: ds\n    redis:\n      uri: "
            + redis.uri()
            + "\n"
            + "repository:\n  path: "
            + repo
            + "\n");

    DataFixture.fill(redis.sync(), 1);
    redis.sync().select(0);
    // A: yesterday 06:58, copied at 07:00 into "YYYYMMDD 7" (date +%k pads the hour with a space)
    Path a = save("A", 3);
    copy(a, DAY.format(yesterday) + " 7", yesterday.atTime(6, 58));
    // the same data, saved 4 days ago at 02:59: an hourly copy older than the 48 h retention
    copy(a, DAY.format(today.minusDays(4)) + " 3", today.minusDays(4).atTime(2, 59));
    // B: yesterday 14:59, into "YYYYMMDD15"; a damaged copy of it in the next hour's folder
    redis.sync().set("damage-me", DAMAGE_ME);
    Path b = save("B", 5);
    copy(b, DAY.format(yesterday) + "15", yesterday.atTime(14, 59));
    Path damaged = copy(b, DAY.format(yesterday) + "16", yesterday.atTime(15, 59));
    flipByteOf(damaged, DAMAGE_ME);
    // C: yesterday 23:59, copied at midnight by both scripts: "YYYYMMDD 0" (hourly) and "YYYYMMDD"
    // (daily)
    Path c = save("C", 7);
    copy(c, DAY.format(today) + " 0", yesterday.atTime(23, 59));
    copy(c, DAY.format(today), yesterday.atTime(23, 59));
    // an operator's link to the newest copy: followed, and the same content (its "manual" tier is
    // not added to C's)
    Files.createSymbolicLink(seeds.resolve("latest"), seeds.resolve(DAY.format(today) + " 0"));
    Files.writeString(seeds.resolve("README.txt"), "not an RDB: ignored");
    // what the server holds when the restore comes
    redis.sync().flushall();
    redis.sync().set("after", "the copies");
  }

  @AfterEach
  void stop() throws Exception {
    // a restore restarts Redis as a daemon: stop it by the PID in its pidfile
    ProcessRegistry.stopByPidFile(redis.dir().resolve("redis.pid"));
    redis.close();
  }

  @Test
  void seedsLayoutDamagedCopyAndASecondImportAddingNothing() throws Exception {
    RedisOpsProcess.Result first = redisOps("import", seeds.toString());
    assertThat(first.exitCode()).as(first.describe()).isEqualTo(3);
    Path damaged = seeds.resolve(DAY.format(yesterday) + "16").resolve("dump.rdb");
    assertThat(first.stdout())
        .as(first.describe())
        .contains("refused  " + damaged + ": fails its CRC64 check")
        .contains(
            "skipped  "
                + seeds.resolve(DAY.format(today)).resolve("dump.rdb")
                + ": same content as "
                + seeds.resolve(DAY.format(today) + " 0").resolve("dump.rdb"))
        .contains("skipped  " + seeds.resolve("latest").resolve("dump.rdb") + ": same content as ")
        .contains("7 files: 4 imported, 2 skipped, 1 refused, 0 failed")
        .doesNotContain("README");
    assertThat(first.stderrLines())
        .as(first.describe())
        .anyMatch(
            l ->
                l.startsWith("redis-ops: 1 file(s) failed " + "verification")
                    && l.endsWith(damaged.toString()));
    // the copy older than the hourly retention stays for now, and the output says until when
    assertThat(first.stdout())
        .containsPattern(
            "kept +"
                + id(today.minusDays(4).atTime(2, 59))
                + ": kept for now \\(imported by this run\\), although older than the retention of its tiers \\[hourly\\]; "
                + "the next prune removes it");

    // the catalog: four backups, method import, tiers from the folders, times from the RDBs' ctime
    JsonNode list = json(redisOps("--json", "list"));
    Map<String, JsonNode> byId = new TreeMap<>();
    list.get("backups").forEach(b -> byId.put(b.get("id").asText(), b));
    assertThat(byId.keySet())
        .containsExactlyInAnyOrder(
            id(today.minusDays(4).atTime(2, 59)),
            id(yesterday.atTime(6, 58)),
            id(yesterday.atTime(14, 59)),
            id(yesterday.atTime(23, 59)));
    assertThat(tiers(byId.get(id(yesterday.atTime(6, 58))))).containsExactly("hourly");
    assertThat(tiers(byId.get(id(yesterday.atTime(14, 59))))).containsExactly("hourly");
    assertThat(tiers(byId.get(id(yesterday.atTime(23, 59))))).containsExactly("hourly", "daily");
    for (JsonNode b : byId.values()) {
      assertThat(b.get("method").asText()).isEqualTo("import");
      assertThat(b.get("source").get("role").asText()).isEqualTo("import");
      assertThat(b.get("source").get("redis_version").asText()).startsWith("7.");
      assertThat(b.get("source").has("host")).isFalse();
      assertThat(b.get("verification").asText()).isEqualTo("full");
      assertThat(b.get("origin_path").asText()).startsWith(seeds.toString()).endsWith("/dump.rdb");
    }
    JsonNode b = byId.get(id(yesterday.atTime(14, 59)));
    assertThat(b.get("snapshot_time").asText())
        .isEqualTo(ctimes.get(DAY.format(yesterday) + "15").toString());
    assertThat(b.get("origin_path").asText())
        .isEqualTo(seeds.resolve(DAY.format(yesterday) + "15/dump.rdb").toString());
    assertThat(b.get("total_keys").asLong()).isEqualTo(KeyspaceDump.count(states.get("B")));

    RedisOpsProcess.Result table = redisOps("list");
    assertThat(table.exitCode()).as(table.describe()).isZero();
    assertThat(table.stdout()).contains(" import ").doesNotContain("null");
    RedisOpsProcess.Result show = redisOps("show", id(yesterday.atTime(14, 59)));
    assertThat(show.stdout())
        .as(show.describe())
        .contains("method:         import")
        .contains("imported from:  " + seeds.resolve(DAY.format(yesterday) + "15/dump.rdb"))
        .contains("role=import, written by Redis 7.");

    // a second import adds nothing: every valid copy is in the catalog already, the damaged one is
    // refused again
    Map<String, String> before = RepoTree.fingerprint(repo);
    JsonNode second = json(redisOps("--json", "import", seeds.toString()));
    assertThat(second.get("exit_code").asInt()).isEqualTo(3);
    assertThat(second.get("imported").asInt()).isZero();
    assertThat(second.get("skipped").asInt()).isEqualTo(6);
    assertThat(second.get("refused").asInt()).isEqualTo(1);
    assertThat(second.get("pruned")).isEmpty();
    for (JsonNode f : second.get("files")) {
      if (f.get("status").asText().equals("skipped")) {
        assertThat(f.get("reason").asText()).startsWith("already in the catalog as ");
      }
    }
    assertThat(RepoTree.fingerprint(repo)).isEqualTo(before);
  }

  @Test
  void restoreAtChoosesAmongTheImportedCopies() throws Exception {
    Files.delete(seeds.resolve(DAY.format(yesterday) + "16").resolve("dump.rdb"));
    RedisOpsProcess.Result imported = redisOps("import", seeds.toString());
    assertThat(imported.exitCode()).as(imported.describe()).isZero();
    assertThat(imported.stdout()).contains("4 imported, 2 skipped, 0 refused");

    // between A (06:58) and B (14:59): A, as the plan shows
    String atNoon = yesterday.atTime(12, 0).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
    RedisOpsProcess.Result dry = redisOps("restore", "--at", atNoon, "--dry-run");
    assertThat(dry.exitCode()).as(dry.describe()).isZero();
    assertThat(dry.stdout())
        .contains(id(yesterday.atTime(6, 58)))
        .doesNotContain(id(yesterday.atTime(14, 59)));

    // between B and C (23:59): B's data replaces what the server holds
    String atEight =
        yesterday.atTime(20, 0).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
    RedisOpsProcess.Result restore = redisOps("restore", "--at", atEight, "--yes");
    assertThat(restore.exitCode()).as(restore.describe()).isZero();
    assertThat(restore.stdout()).contains(id(yesterday.atTime(14, 59)));
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      assertThat(KeyspaceDump.of(c.sync())).isEqualTo(states.get("B"));
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void aMissingPathOrNoDatasetIsRefusedAndNothingIsTouched() throws Exception {
    assertThat(redisOps("import", seeds.resolve(DAY.format(today)).toString()).exitCode()).isZero();
    Map<String, String> before = RepoTree.fingerprint(repo);

    RedisOpsProcess.Result missing =
        redisOps("import", seeds.toString(), tmp.resolve("no-such-folder").toString());
    assertThat(missing.exitCode()).as(missing.describe()).isEqualTo(2);
    assertThat(missing.stderrLines())
        .containsExactly(
            "redis-ops: no such file or folder '"
                + tmp.resolve("no-such-folder")
                + "'; nothing was imported");
    assertThat(missing.stdout()).isEmpty();

    RedisOpsProcess.Result noDataset =
        RedisOpsProcess.of("--repo", repo.toString(), "import", seeds.toString())
            .env("TZ", ZONE.getId())
            .run(RedisOpsProcess.DEFAULT_TIMEOUT);
    assertThat(noDataset.exitCode()).as(noDataset.describe()).isEqualTo(2);
    assertThat(noDataset.stderr()).contains("--dataset");
    assertThat(RepoTree.fingerprint(repo)).isEqualTo(before);
  }

  // ---------------------------------------------------------------------------------------------------------------

  private RedisOpsProcess.Result redisOps(String... args) {
    List<String> all = new ArrayList<>(List.of("-c", config.toString()));
    all.addAll(List.of(args));
    return RedisOpsProcess.of(all.toArray(String[]::new))
        .env("TZ", ZONE.getId())
        .run(Duration.ofMinutes(3));
  }

  private static JsonNode json(RedisOpsProcess.Result r) throws Exception {
    return JSON.readTree(r.stdout());
  }

  private static List<String> tiers(JsonNode backup) {
    List<String> out = new ArrayList<>();
    backup.get("tiers").forEach(t -> out.add(t.asText()));
    return out;
  }

  /** The backup id of a snapshot taken at this local time. */
  private static String id(LocalDateTime local) {
    return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
        .withZone(ZoneId.of("UTC"))
        .format(local.atZone(ZONE));
  }

  /** Writes {@code extraKeys} keys marking this state, SAVEs and returns the RDB Redis wrote. */
  private Path save(String state, int extraKeys) throws Exception {
    for (int i = 0; i < extraKeys; i++) {
      redis.sync().set("state:" + state + ":" + i, state);
    }
    states.put(state, KeyspaceDump.of(redis.sync()));
    redis.sync().select(0);
    assertThat(redis.sync().save()).isEqualTo("OK");
    Path copy = tmp.resolve("saved-" + state + ".rdb");
    Files.copy(redis.dir().resolve("dump.rdb"), copy);
    return copy;
  }

  /**
   * {@code cp} into {@code snapshotting/<folder>/dump.rdb}, with the RDB's ctime set to {@code
   * savedAt} (local).
   */
  private Path copy(Path rdb, String folder, LocalDateTime savedAt) throws Exception {
    Path target = Files.createDirectories(seeds.resolve(folder)).resolve("dump.rdb");
    Instant ctime = savedAt.atZone(ZONE).toInstant();
    Files.write(target, withCtime(Files.readAllBytes(rdb), ctime));
    ctimes.put(folder, ctime);
    return target;
  }

  /**
   * The RDB with its {@code ctime} AUX field set: Redis 7 writes it as opcode 0xFA, the string
   * "ctime", then the value as a 32-bit integer string encoding (0xC2 and 4 bytes little-endian);
   * the CRC64 trailer is recomputed.
   */
  static byte[] withCtime(byte[] rdb, Instant ctime) {
    byte[] marker = {(byte) 0xFA, 5, 'c', 't', 'i', 'm', 'e', (byte) 0xC2};
    int at = indexOf(rdb, marker);
    assertThat(at).as("ctime AUX field").isPositive();
    int value = (int) ctime.getEpochSecond();
    for (int i = 0; i < 4; i++) {
      rdb[at + marker.length + i] = (byte) (value >>> (8 * i));
    }
    long crc = Crc64.of(java.util.Arrays.copyOf(rdb, rdb.length - 8));
    for (int i = 0; i < 8; i++) {
      rdb[rdb.length - 8 + i] = (byte) (crc >>> (8 * i));
    }
    return rdb;
  }

  /**
   * Changes one byte inside {@code value} in the file: the structure stays, the CRC64 no longer
   * matches.
   */
  static void flipByteOf(Path file, String value) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    int at = indexOf(bytes, value.getBytes(StandardCharsets.US_ASCII));
    assertThat(at).as(value + " in " + file).isPositive();
    bytes[at + 5] ^= 0x01;
    Files.write(file, bytes);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
