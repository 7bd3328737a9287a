package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code verify} on damaged backups: exit 3 naming the backup, exit 4 for an unknown id. */
class CliVerifyIT {
  private static final String DATASET = "it-verify";

  /**
   * Short enough (under 20 bytes) that Redis stores it as is, not LZF-compressed: its bytes appear
   * in the RDB.
   */
  private static final String MARKER = "marker-0123456789";

  private static final Pattern BACKUP_LINE = Pattern.compile("^backup (\\S+) of .*");

  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.builder().build();

  @TempDir Path tmp;

  @BeforeAll
  static void fill() {
    for (int i = 0; i < 200; i++) {
      redis.sync().set("key:" + i, "value-" + i);
    }
    redis.sync().set("marker", MARKER);
  }

  private String[] cli(Path repo, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of("--redis", redis.uri(), "--repo", repo.toString(), "--dataset", DATASET));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  private String backup(String... args) {
    RedisOpsProcess.Result b = RedisOpsProcess.run(args);
    assertThat(b.exitCode()).as(b.describe()).isZero();
    Matcher m = BACKUP_LINE.matcher(b.stdoutLines().get(0));
    assertThat(m.matches()).as(b.describe()).isTrue();
    return m.group(1);
  }

  @Test
  void flippedByteInTheCompressedObjectIsAnIntegrityError() throws Exception {
    Path repo = tmp.resolve("repo");
    String id = backup(cli(repo, "backup"));
    String good = backup(cli(repo, "backup"));
    Path object = repo.resolve(DATASET).resolve(id).resolve("dump.rdb.zst");
    assertThat(object).isRegularFile();
    RepoTree.flipByte(object, Files.size(object) / 2);

    RedisOpsProcess.Result v = RedisOpsProcess.run(cli(repo, "verify", id));
    assertThat(v.exitCode()).as(v.describe()).isEqualTo(3);
    assertThat(v.stdoutLines())
        .as(v.describe())
        .anyMatch(l -> l.startsWith("BAD") && l.contains(id));
    List<String> err = v.stderrLines();
    assertThat(err).as(v.describe()).isNotEmpty();
    assertThat(err.get(err.size() - 1)).startsWith("redis-ops: ").contains(id);

    // --all names the bad one and vouches for the intact one
    RedisOpsProcess.Result all = RedisOpsProcess.run(cli(repo, "verify", "--all"));
    assertThat(all.exitCode()).as(all.describe()).isEqualTo(3);
    assertThat(all.stdoutLines())
        .as(all.describe())
        .contains("OK   " + good)
        .anyMatch(l -> l.startsWith("BAD  " + id));
    String last = all.stderrLines().get(all.stderrLines().size() - 1);
    assertThat(last).contains(id).doesNotContain(good);

    // the intact one alone passes
    RedisOpsProcess.Result ok = RedisOpsProcess.run(cli(repo, "verify", good));
    assertThat(ok.exitCode()).as(ok.describe()).isZero();
  }

  @Test
  void flippedByteInsideAnUncompressedRdbNamesTheChecksum() throws Exception {
    Path repo = tmp.resolve("repo-plain");
    Path config = tmp.resolve("plain.yaml");
    Files.writeString(config, "repository: {compression: none}\n");
    String id = backup(cli(repo, "-c", config.toString(), "backup"));
    Path rdb = repo.resolve(DATASET).resolve(id).resolve("dump.rdb");
    assertThat(rdb).isRegularFile();
    byte[] bytes = Files.readAllBytes(rdb);
    assertThat(new String(bytes, 0, 9, StandardCharsets.US_ASCII)).startsWith("REDIS");
    int at = indexOf(bytes, MARKER.getBytes(StandardCharsets.US_ASCII));
    assertThat(at).as("the marker value is stored verbatim in the RDB").isPositive();
    RepoTree.flipByte(rdb, at + MARKER.length() / 2L);

    RedisOpsProcess.Result v =
        RedisOpsProcess.run(cli(repo, "-c", config.toString(), "verify", id));
    assertThat(v.exitCode()).as(v.describe()).isEqualTo(3);
    assertThat(v.stdoutLines())
        .as(v.describe())
        .anyMatch(
            l ->
                l.startsWith("BAD")
                    && l.contains(id)
                    && (l.contains("CRC64") || l.contains("SHA-256")));
    String last = v.stderrLines().get(v.stderrLines().size() - 1);
    assertThat(last).as(v.describe()).startsWith("redis-ops: ").contains(id);
  }

  @Test
  void unknownIdIsNothingMatched() {
    Path repo = tmp.resolve("repo-unknown");
    backup(cli(repo, "backup"));
    RedisOpsProcess.Result v = RedisOpsProcess.run(cli(repo, "verify", "20000101T000000Z"));
    assertThat(v.exitCode()).as(v.describe()).isEqualTo(4);
    assertThat(v.stderrLines()).as(v.describe()).hasSize(1);
    assertThat(v.stderrLines().get(0)).startsWith("redis-ops: ").contains("20000101T000000Z");
    assertThat(v.stdout()).isEmpty();
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
