package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redisops.testkit.ProcessRegistry;
import io.redisops.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, items 3 (restore), 6 and 7, with the real jar restoring a real redis-server: a manifest
 * never leads the restore outside the repository, {@code --at} with the time {@code list} shows
 * picks that backup, and a read-only repository can be restored from.
 */
class RestoreFaultsIT {
  private static final Pattern BACKUP_LINE = Pattern.compile("^backup (\\S+) of .*");
  private static final Duration RUN = Duration.ofMinutes(3);

  @TempDir Path tmp;

  RedisServer redis;
  Path config;

  @BeforeEach
  void start() throws Exception {
    Path dir = tmp.resolve("redis");
    redis =
        RedisServer.builder()
            .dir(dir)
            .config("pidfile", "\"" + dir.resolve("redis.pid") + "\"")
            .start();
    for (int i = 0; i < 100; i++) {
      redis.sync().set("key:" + i, "v" + i);
    }
    config = tmp.resolve("c.yaml");
    Files.writeString(
        config,
        "datasets:\n  - name: ds\n    redis:\n      uri: "
            + redis.uri()
            + "\nrepository:\n  path: "
            + repo()
            + "\n");
  }

  @AfterEach
  void stop() throws Exception {
    // a restore restarts Redis under a new pid: stop whatever the pidfile names
    ProcessRegistry.stopByPidFile(redis.dir().resolve("redis.pid"));
    redis.close();
  }

  private Path repo() {
    return tmp.resolve("repo");
  }

  private RedisOpsProcess cli(String... args) {
    List<String> all = new ArrayList<>(List.of("-c", config.toString()));
    all.addAll(List.of(args));
    return RedisOpsProcess.of(all.toArray(String[]::new));
  }

  private String backup() {
    RedisOpsProcess.Result b = cli("backup").run(RUN);
    assertThat(b.exitCode()).as(b.describe()).isZero();
    Matcher m = BACKUP_LINE.matcher(b.stdoutLines().get(0));
    assertThat(m.matches()).as(b.describe()).isTrue();
    return m.group(1);
  }

  private String state() {
    return redis.sync().get("state");
  }

  /** A fresh connection (the restore restarted the server). */
  private String stateAfterRestart() {
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
    try (var c = client.connect()) {
      return c.sync().get("state");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void atWithTheTimeListShowsSelectsThatBackup() throws Exception {
    String earlier = backup();
    String listed = backup();
    RedisOpsProcess.Result list = cli("list").run(RUN);
    String row =
        list.stdoutLines().stream().filter(l -> l.startsWith(listed)).findFirst().orElseThrow();
    Matcher time = Pattern.compile("(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2})").matcher(row);
    assertThat(time.find()).as(row).isTrue();
    Instant snapshot =
        Instant.parse(
            RepoTree.json(cli("--json", "show", listed).run(RUN).stdout())
                .path("snapshot_time")
                .asText());
    String iso =
        DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
            snapshot
                .truncatedTo(ChronoUnit.SECONDS)
                .atZone(ZoneId.systemDefault())
                .toOffsetDateTime());
    for (String at : List.of(time.group(1) + " " + time.group(2), time.group(2), iso)) {
      RedisOpsProcess.Result dry = cli("restore", "--at", at, "--dry-run").run(RUN);
      assertThat(dry.exitCode()).as(dry.describe()).isZero();
      assertThat(dry.stdout())
          .as("--at %s (snapshot %s)", at, snapshot)
          .contains("backup:      " + listed + ",")
          // the comma ends the id: two backups in one second are named <id> and <id>-2
          .doesNotContain("backup:      " + earlier + ",");
    }
  }

  @Test
  void aManifestPointingOutsideTheRepositoryIsNeverRestored() throws Exception {
    redis.sync().set("state", "good");
    String good = backup();
    redis.sync().set("state", "evil");
    String evil = backup();
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path canary = outside.resolve("victim.zst");
    Files.move(repo().resolve("ds").resolve(evil).resolve("dump.rdb.zst"), canary);
    String canarySha = RepoTree.sha256(canary);
    Path manifest = repo().resolve("ds").resolve(evil).resolve("manifest.json");
    ObjectNode m = (ObjectNode) RepoTree.json(manifest);
    m.put("object", "../../../outside/victim.zst");
    Files.writeString(manifest, m.toString());
    redis.sync().set("state", "now");

    // asked for by id: refused before anything changes
    RedisOpsProcess.Result byId = cli("restore", "--backup", evil, "--yes").run(RUN);
    assertThat(byId.exitCode()).as(byId.describe()).isIn(3, 4);
    assertThat(byId.stderr()).contains(evil).contains("unusable");
    assertThat(state()).isEqualTo("now");

    // the newest usable one is restored; the unusable one is named, the file outside never read
    // into Redis
    RedisOpsProcess.Result latest = cli("restore", "--latest", "--yes").run(RUN);
    assertThat(latest.exitCode()).as(latest.describe()).isZero();
    assertThat(latest.stdout()).contains("backup:      " + good);
    assertThat(latest.stderr()).contains(evil).contains("unusable");
    assertThat(stateAfterRestart()).isEqualTo("good");
    assertThat(RepoTree.sha256(canary)).isEqualTo(canarySha);
  }

  @Test
  void aReadOnlyRepositoryCanBeListedVerifiedAndRestoredFrom() throws Exception {
    redis.sync().set("state", "backed-up");
    String id = backup();
    redis.sync().set("state", "changed");
    Path stateDir = tmp.resolve("state");
    Map<String, String> before = RepoTree.fingerprint(repo());
    // a private mount namespace in which the repository is a read-only bind mount of itself
    String[] readOnly = {
      "unshare",
      "-m",
      "sh",
      "-c",
      "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" && touch \"$0/probe\" 2>/dev/null && exit 98;"
          + " exec \"$@\"",
      repo().toString()
    };

    for (String[] command :
        List.of(
            new String[] {"list"}, new String[] {"verify", "--all"}, new String[] {"show", id})) {
      RedisOpsProcess.Result r =
          cli(command).wrap(readOnly).env("REDIS_OPS_STATE_DIR", stateDir.toString()).run(RUN);
      assertThat(r.exitCode()).as(r.describe()).isZero();
      assertThat(r.stdout()).contains(id);
    }
    RedisOpsProcess.Result restore =
        cli("restore", "--latest", "--yes")
            .wrap(readOnly)
            .env("REDIS_OPS_STATE_DIR", stateDir.toString())
            .run(RUN);
    assertThat(restore.exitCode()).as(restore.describe()).isZero();
    assertThat(restore.stderr()).doesNotContain("Read-only file system");
    assertThat(stateAfterRestart()).isEqualTo("backed-up");
    // the lock lived in the state folder; the repository is as it was
    try (var files = Files.walk(stateDir)) {
      assertThat(files.map(p -> p.getFileName().toString())).contains(".lock");
    }
    assertThat(RepoTree.fingerprint(repo())).isEqualTo(before);
  }
}
