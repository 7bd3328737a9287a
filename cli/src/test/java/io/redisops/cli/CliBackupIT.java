package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.redisops.testkit.RedisServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The happy path of the real {@code redis-ops} jar: backup (both methods), list, show, verify,
 * prune.
 */
class CliBackupIT {
  private static final String DATASET = "it-backup";
  private static final Pattern BACKUP_LINE =
      Pattern.compile("^backup (\\S+) of (\\S+): (\\d+) keys.*");

  @RegisterExtension
  static final RedisServerExtension redis =
      RedisServerExtension.builder().config("repl-diskless-sync-delay", "0").build();

  @TempDir static Path tmp;

  @BeforeAll
  static void fill() {
    RedisCommands<String, String> r = redis.sync();
    r.select(0);
    r.set("string:1", "one");
    r.set("string:2", "two");
    r.hset("hash:1", Map.of("name", "ada", "lang", "redis"));
    r.rpush("list:1", "a", "b", "c");
    r.sadd("set:1", "x", "y");
    r.zadd("zset:1", 1.0, "first");
    r.zadd("zset:1", 2.0, "second");
    r.set("ttl:1", "expires in an hour", SetArgs.Builder.ex(3600));
    r.select(2);
    r.set("db2:string", "in db2");
    r.hset("db2:hash", "f", "v");
    r.sadd("db2:set", "m");
    r.select(0);
  }

  private String[] cli(Path repo, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of("--redis", redis.uri(), "--repo", repo.toString(), "--dataset", DATASET));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  @Test
  void versionAndHelp() {
    RedisOpsProcess.Result v = RedisOpsProcess.run("--version");
    assertThat(v.exitCode()).as(v.describe()).isZero();
    assertThat(v.stdoutLines()).as(v.describe()).first().isEqualTo("redis-ops 0.1.0");

    RedisOpsProcess.Result h = RedisOpsProcess.run("--help");
    assertThat(h.exitCode()).as(h.describe()).isZero();
    for (String command : List.of("backup", "list", "show", "verify", "prune")) {
      assertThat(h.stdoutLines())
          .as(h.describe())
          .anyMatch(l -> l.matches("\\s+" + command + "\\s+\\S.*"));
    }
  }

  @Test
  void backupListShowVerifyPrune() throws Exception {
    Path repo = tmp.resolve("repo");
    Map<Integer, Long> keyspace = RepoTree.keyspace(redis.sync().info("keyspace"));
    assertThat(keyspace).containsOnlyKeys(0, 2); // the data set up above, nothing else
    long total = keyspace.values().stream().mapToLong(Long::longValue).sum();

    // backup (auto picks bgsave: the data directory is readable here)
    RedisOpsProcess.Result b1 = RedisOpsProcess.run(cli(repo, "backup"));
    assertThat(b1.exitCode()).as(b1.describe()).isZero();
    Matcher m1 = BACKUP_LINE.matcher(b1.stdoutLines().get(0));
    assertThat(m1.matches()).as(b1.describe()).isTrue();
    String id1 = m1.group(1);
    assertThat(m1.group(2)).isEqualTo(DATASET);
    assertThat(Long.parseLong(m1.group(3))).isEqualTo(total);
    assertThat(b1.stderr()).as(b1.describe()).isEmpty();

    // backup over the replication protocol, tier hourly
    RedisOpsProcess.Result b2 =
        RedisOpsProcess.run(cli(repo, "backup", "--method", "replication", "--tier", "hourly"));
    assertThat(b2.exitCode()).as(b2.describe()).isZero();
    Matcher m2 = BACKUP_LINE.matcher(b2.stdoutLines().get(0));
    assertThat(m2.matches()).as(b2.describe()).isTrue();
    String id2 = m2.group(1);
    assertThat(id2).isNotEqualTo(id1);
    assertThat(Long.parseLong(m2.group(3))).isEqualTo(total);
    assertThat(b2.stdout()).contains("replication");

    // list: a header and two rows, newest first
    RedisOpsProcess.Result list = RedisOpsProcess.run(cli(repo, "list"));
    assertThat(list.exitCode()).as(list.describe()).isZero();
    assertThat(list.stdoutLines()).as(list.describe()).hasSize(3);
    assertThat(list.stdoutLines().get(0)).startsWith("ID");
    assertThat(list.stdoutLines().get(1)).startsWith(id2).contains("hourly");
    assertThat(list.stdoutLines().get(2)).startsWith(id1).contains("manual");

    // list --json: exactly one JSON document, the two backups with their tiers and key counts
    RedisOpsProcess.Result lj = RedisOpsProcess.run(cli(repo, "--json", "list"));
    assertThat(lj.exitCode()).as(lj.describe()).isZero();
    JsonNode doc = singleJsonDocument(lj.stdout());
    assertThat(doc.path("dataset").asText()).isEqualTo(DATASET);
    JsonNode backups = doc.path("backups");
    assertThat(backups.size()).as(lj.describe()).isEqualTo(2);
    Map<String, String> tiersById = new TreeMap<>();
    for (JsonNode b : backups) {
      tiersById.put(b.path("id").asText(), b.path("tiers").toString());
      Map<Integer, Long> keys = new TreeMap<>();
      b.path("keys")
          .properties()
          .forEach(e -> keys.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
      assertThat(keys).as("keys of %s vs INFO keyspace", b.path("id")).isEqualTo(keyspace);
      assertThat(b.path("total_keys").asLong()).isEqualTo(total);
    }
    assertThat(tiersById)
        .containsExactlyInAnyOrderEntriesOf(Map.of(id1, "[\"manual\"]", id2, "[\"hourly\"]"));
    assertThat(backups.get(0).path("method").asText()).isEqualTo("replication");
    assertThat(backups.get(1).path("method").asText()).isEqualTo("bgsave");

    // show --json: the manifest, whose checksums match the stored object
    RedisOpsProcess.Result sj = RedisOpsProcess.run(cli(repo, "--json", "show", id1));
    assertThat(sj.exitCode()).as(sj.describe()).isZero();
    JsonNode manifest = singleJsonDocument(sj.stdout());
    assertThat(manifest.path("id").asText()).isEqualTo(id1);
    assertThat(manifest.path("compression").asText()).isEqualTo("zstd");
    assertThat(manifest.path("raw_sha256").asText()).matches("[0-9a-f]{64}");
    assertThat(manifest.path("stored_sha256").asText())
        .matches("[0-9a-f]{64}")
        .isNotEqualTo(manifest.path("raw_sha256").asText());
    assertThat(manifest.path("rdb_crc64").asText()).matches("[0-9a-f]{16}");
    assertThat(manifest.path("keys").path("0").asLong()).isEqualTo(keyspace.get(0));
    assertThat(manifest.path("keys").path("2").asLong()).isEqualTo(keyspace.get(2));
    assertThat(manifest.path("expires").path("0").asLong()).isEqualTo(1);
    Path object = repo.resolve(DATASET).resolve(id1).resolve("dump.rdb.zst");
    assertThat(RepoTree.sha256(object)).isEqualTo(manifest.path("stored_sha256").asText());
    assertThat(Files.size(object)).isEqualTo(manifest.path("stored_size").asLong());
    // what is on disk is what show prints
    assertThat(RepoTree.json(repo.resolve(DATASET).resolve(id1).resolve("manifest.json")))
        .isEqualTo(manifest);

    // show as text
    RedisOpsProcess.Result st = RedisOpsProcess.run(cli(repo, "show", id1));
    assertThat(st.exitCode()).as(st.describe()).isZero();
    assertThat(st.stdoutLines())
        .as(st.describe())
        .contains(
            "id:             " + id1,
            "raw sha256:     " + manifest.path("raw_sha256").asText(),
            "stored sha256:  " + manifest.path("stored_sha256").asText(),
            "rdb crc64:      " + manifest.path("rdb_crc64").asText())
        .anyMatch(
            l ->
                l.startsWith("keys:")
                    && l.contains(
                        total + " (db0=" + keyspace.get(0) + " db2=" + keyspace.get(2) + ")"));

    // verify --all
    RedisOpsProcess.Result v = RedisOpsProcess.run(cli(repo, "verify", "--all"));
    assertThat(v.exitCode()).as(v.describe()).isZero();
    assertThat(v.stdoutLines())
        .as(v.describe())
        .containsExactlyInAnyOrder("OK   " + id1, "OK   " + id2);

    // prune --dry-run: both are young, nothing would go, nothing goes
    Map<String, String> before = RepoTree.fingerprint(repo);
    RedisOpsProcess.Result p = RedisOpsProcess.run(cli(repo, "prune", "--dry-run"));
    assertThat(p.exitCode()).as(p.describe()).isZero();
    assertThat(p.stdoutLines())
        .as(p.describe())
        .anyMatch(l -> l.startsWith("keep") && l.contains(id1))
        .anyMatch(l -> l.startsWith("keep") && l.contains(id2))
        .contains("dry run: would delete 0 of 2 backup(s) of " + DATASET);
    assertThat(RepoTree.fingerprint(repo)).isEqualTo(before);

    // a backup holds all the data of a Redis: folders 0700, files 0600, the repository root
    // included
    for (Path path : RepoTree.walk(repo)) {
      String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
      assertThat(perms)
          .as(path.toString())
          .isEqualTo(Files.isDirectory(path) ? "rwx------" : "rw-------");
    }
    assertThat(RepoTree.walk(repo))
        .anyMatch(x -> x.getFileName().toString().equals("manifest.json"));
  }

  /** Parses stdout as JSON and checks nothing else was printed around the one document. */
  static JsonNode singleJsonDocument(String stdout) throws Exception {
    try (com.fasterxml.jackson.core.JsonParser parser =
        RepoTree.JSON.getFactory().createParser(stdout)) {
      JsonNode node = RepoTree.JSON.readTree(parser);
      assertThat(node).as("stdout: %s", stdout).isNotNull();
      assertThat(parser.nextToken())
          .as("a second document or stray text after the first: %s", stdout)
          .isNull();
      return node;
    }
  }
}
