package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redisops.testkit.RedisServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code drill}: a good backup passes, a backup that loads with fewer keys than its manifest says
 * fails (exit 3), and both outcomes are recorded beside the manifest (never in it) and shown by
 * {@code list} and {@code show}.
 */
class DrillCliIT {
  private static final String DATASET = "it-drill";
  private static final Pattern BACKUP_LINE = Pattern.compile("^backup (\\S+) of .*");

  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.builder().build();

  @TempDir Path tmp;

  private String[] cli(Path repo, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of("--redis", redis.uri(), "--repo", repo.toString(), "--dataset", DATASET));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  @Test
  void drillPassesOnAGoodBackupAndFailsRecordedOnOneWithFewerKeysThanItsManifest()
      throws Exception {
    for (int i = 0; i < 50; i++) {
      redis.sync().set("key:" + i, "value-" + i);
    }
    redis.sync().select(1);
    for (int i = 0; i < 7; i++) {
      redis.sync().set("other:" + i, "v");
    }
    redis.sync().select(0);
    Path repo = tmp.resolve("repo");
    RedisOpsProcess.Result b = RedisOpsProcess.run(cli(repo, "backup"));
    assertThat(b.exitCode()).as(b.describe()).isZero();
    Matcher bm = BACKUP_LINE.matcher(b.stdoutLines().get(0));
    assertThat(bm.matches()).as(b.describe()).isTrue();
    String good = bm.group(1);
    Path goodDir = repo.resolve(DATASET).resolve(good);
    byte[] manifestBefore = Files.readAllBytes(goodDir.resolve("manifest.json"));

    RedisOpsProcess.Result pass = RedisOpsProcess.run(cli(repo, "--json", "drill", "--latest"));
    assertThat(pass.exitCode()).as(pass.describe()).isZero();
    JsonNode doc = RepoTree.json(pass.stdout());
    assertThat(doc.get("backup_id").asText()).isEqualTo(good);
    assertThat(doc.get("result").asText()).isEqualTo("pass");
    assertThat(doc.get("loaded_keys").get("0").asLong()).isEqualTo(50);
    assertThat(doc.get("loaded_keys").get("1").asLong()).isEqualTo(7);
    assertThat(doc.get("server").asText()).contains("Redis 7.0");
    assertThat(RepoTree.json(goodDir.resolve("drill.json")).get("result").asText())
        .isEqualTo("pass");
    assertThat(Files.readAllBytes(goodDir.resolve("manifest.json"))).isEqualTo(manifestBefore);

    // A copy of the backup, one second newer, whose manifest says db0 holds 5 more keys and db1 5
    // fewer: the same total, so the checksums and the RDB's count still match, but the loaded
    // server holds fewer keys in db0 than the manifest says.
    String bad = bumpedId(good);
    Path badDir = repo.resolve(DATASET).resolve(bad);
    Files.createDirectories(badDir);
    Files.copy(goodDir.resolve("dump.rdb.zst"), badDir.resolve("dump.rdb.zst"));
    ObjectNode m = (ObjectNode) RepoTree.json(goodDir.resolve("manifest.json"));
    m.put("id", bad);
    m.put(
        "snapshot_time", Instant.parse(m.get("snapshot_time").asText()).plusSeconds(1).toString());
    ((ObjectNode) m.get("keys")).put("0", 55).put("1", 2);
    Files.write(badDir.resolve("manifest.json"), RepoTree.JSON.writeValueAsBytes(m));
    byte[] badManifest = Files.readAllBytes(badDir.resolve("manifest.json"));

    RedisOpsProcess.Result fail = RedisOpsProcess.run(cli(repo, "drill", "--latest"));
    assertThat(fail.exitCode()).as(fail.describe()).isEqualTo(3);
    assertThat(fail.stdout()).as(fail.describe()).contains(bad).contains("FAIL");
    List<String> err = fail.stderrLines();
    assertThat(err.get(err.size() - 1))
        .as(fail.describe())
        .startsWith("redis-ops: drill of backup " + bad + " FAILED")
        .contains("db0 holds 50 keys, the backup 55");
    JsonNode recorded = RepoTree.json(badDir.resolve("drill.json"));
    assertThat(recorded.get("result").asText()).isEqualTo("fail");
    assertThat(recorded.get("reason").asText()).contains("db0 holds 50 keys");
    assertThat(Files.readAllBytes(badDir.resolve("manifest.json"))).isEqualTo(badManifest);

    RedisOpsProcess.Result list = RedisOpsProcess.run(cli(repo, "list"));
    assertThat(list.exitCode()).as(list.describe()).isZero();
    assertThat(list.stdoutLines())
        .as(list.describe())
        .anyMatch(l -> l.startsWith(bad) && l.contains("FAIL "))
        .anyMatch(l -> l.startsWith(good) && l.contains("pass "));
    RedisOpsProcess.Result show = RedisOpsProcess.run(cli(repo, "show", bad));
    assertThat(show.stdoutLines())
        .as(show.describe())
        .anyMatch(l -> l.startsWith("last drill:") && l.contains("FAIL") && l.contains("db0"));
  }

  /** The id of a backup taken one second after {@code id} ({@code yyyyMMdd'T'HHmmss'Z'}). */
  private static String bumpedId(String id) {
    Instant t =
        java.time.LocalDateTime.parse(
                id.substring(0, 15),
                java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"))
            .toInstant(java.time.ZoneOffset.UTC);
    return io.redisops.time.TimeFormats.STAMP.format(t.plusSeconds(1));
  }
}
