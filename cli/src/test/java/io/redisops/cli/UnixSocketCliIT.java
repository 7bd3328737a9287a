package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.testkit.DataFixture;
import io.redisops.testkit.KeyspaceDump;
import io.redisops.testkit.ProcessRegistry;
import io.redisops.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code unix://} endpoints (issue 13, item 19): backup and restore of a Redis reached through its
 * Unix socket only, the dataset named after the socket, and the replication method refused with
 * what to use instead.
 */
class UnixSocketCliIT {
  @TempDir static Path tmp;
  static RedisServer redis;
  static Path socket;

  @BeforeAll
  static void start() {
    Path dir = tmp.resolve("redis");
    // a socket path must stay under 108 bytes: the temp folder may be long
    socket = Path.of("/tmp", "redis-ops-it-" + ProcessHandle.current().pid() + ".sock");
    redis =
        RedisServer.builder()
            .dir(dir)
            .config("unixsocket", "\"" + socket + "\"")
            .config("unixsocketperm", "700")
            .config("appendonly", "yes")
            .config("pidfile", "\"" + dir.resolve("redis.pid") + "\"")
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (redis != null) {
      ProcessRegistry.stopByPidFile(redis.dir().resolve("redis.pid"));
      redis.close();
    }
    Files.deleteIfExists(socket);
  }

  private RedisOpsProcess.Result cli(String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "--redis";
    all[1] = "unix://" + socket;
    all[2] = "--repo";
    all[3] = tmp.resolve("repo").toString();
    System.arraycopy(args, 0, all, 4, args.length);
    return RedisOpsProcess.run(all);
  }

  @Test
  void backupAndRestoreThroughTheSocket() throws Exception {
    DataFixture.fill(redis.sync(), 1);
    Map<Integer, Map<String, KeyspaceDump.KeyState>> backedUp = KeyspaceDump.of(redis.sync());

    RedisOpsProcess.Result backup = cli("backup");
    assertThat(backup.exitCode()).as(backup.describe()).isZero();
    // the dataset is named after the socket file, the source is the socket's path
    String name = socket.getFileName().toString().replace(".sock", "");
    assertThat(backup.stdout()).as(backup.describe()).contains(" of " + name + ":");
    RedisOpsProcess.Result list = cli("list", "--dataset", name);
    assertThat(list.stdout()).as(list.describe()).contains(socket + " master");

    RedisOpsProcess.Result replication = cli("backup", "--method", "replication");
    assertThat(replication.exitCode()).as(replication.describe()).isEqualTo(2);
    assertThat(replication.stderr().strip())
        .doesNotContain("\n")
        .contains("needs Redis' TCP address")
        .contains("--method bgsave");
    // check says so beforehand
    RedisOpsProcess.Result check = cli("check", "--method", "replication");
    assertThat(check.exitCode()).as(check.describe()).isEqualTo(1);
    assertThat(check.stdoutLines())
        .as(check.describe())
        .anyMatch(
            l ->
                l.startsWith("FAIL")
                    && l.contains("redis " + name)
                    && l.contains("needs Redis' TCP address"));

    redis.sync().flushall();
    redis.sync().set("after", "the backup");
    RedisOpsProcess.Result restore =
        cli(
            "--dataset",
            name,
            "restore",
            "--latest",
            "--yes",
            "--config-file",
            redis.configFile().toString());
    assertThat(restore.exitCode()).as(restore.describe()).isZero();
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
    try (var c = client.connect()) {
      assertThat(KeyspaceDump.of(c.sync())).isEqualTo(backedUp);
    } finally {
      client.shutdown(java.time.Duration.ZERO, java.time.Duration.ofSeconds(2));
    }
  }

  @Test
  void aMissingSocketOrARelativePathIsOneLine() {
    RedisOpsProcess.Result missing =
        RedisOpsProcess.run(
            "--redis",
            "unix:///tmp/redis-ops-no-such.sock",
            "--repo",
            tmp.resolve("r").toString(),
            "backup");
    assertThat(missing.exitCode()).as(missing.describe()).isEqualTo(1);
    assertThat(missing.stderr().strip()).doesNotContain("\n").contains("no such socket file");

    RedisOpsProcess.Result relative =
        RedisOpsProcess.run(
            "--redis", "unix://redis.sock", "--repo", tmp.resolve("r").toString(), "backup");
    assertThat(relative.exitCode()).as(relative.describe()).isEqualTo(2);
    assertThat(relative.stderr()).contains("unix:///path/to/redis.sock");
  }
}
