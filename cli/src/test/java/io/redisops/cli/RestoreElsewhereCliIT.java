package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.redisops.testkit.Await;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.FreePorts;
import io.redisops.testkit.KeyspaceDump;
import io.redisops.testkit.ProcessRegistry;
import io.redisops.testkit.RedisServer;
import io.redisops.testkit.RedisServerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restore --to URI} into a second server of this host (the backed-up one untouched) and
 * {@code restore --to-dir DIR} followed by a server started on the folder: both give the backup's
 * data; a target that holds data or a folder that is not empty is refused (exit 5).
 */
class RestoreElsewhereCliIT {
  @RegisterExtension
  static final RedisServerExtension source = RedisServerExtension.builder().build();

  @TempDir static Path shared;

  static Path repo;
  static Map<Integer, Map<String, KeyspaceDump.KeyState>> backedUp;

  @TempDir Path tmp;

  @BeforeAll
  static void backup() {
    DataFixture.fill(source.sync(), 1);
    backedUp = KeyspaceDump.of(source.sync());
    repo = shared.resolve("repo");
    RedisOpsProcess.Result b = RedisOpsProcess.run(cli("backup"));
    assertThat(b.exitCode()).as(b.describe()).isZero();
  }

  private static String[] cli(String... args) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--redis", source.uri(), "--repo", repo.toString(), "--dataset", "it-elsewhere"));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  private static <T> T with(String uri, Function<RedisCommands<String, String>, T> action) {
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return action.apply(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void restoreToASecondServerLeavesTheFirstAloneAndRefusesOneThatHoldsData() throws Exception {
    Path dir = tmp.resolve("second");
    try (RedisServer second =
        RedisServer.builder()
            .dir(dir)
            .config("pidfile", "\"" + dir.resolve("redis.pid") + "\"")
            .start()) {
      try {
        String sourcePid = source.info("server", "process_id");
        RedisOpsProcess.Result r =
            RedisOpsProcess.run(cli("restore", "--latest", "--to", second.uri(), "--yes"));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(with(second.uri(), KeyspaceDump::of)).isEqualTo(backedUp);
        assertThat(KeyspaceDump.of(source.sync())).isEqualTo(backedUp);
        assertThat(source.info("server", "process_id")).isEqualTo(sourcePid);

        RedisOpsProcess.Result again =
            RedisOpsProcess.run(cli("restore", "--latest", "--to", second.uri(), "--yes"));
        assertThat(again.exitCode()).as(again.describe()).isEqualTo(5);
        assertThat(again.stderrLines().get(again.stderrLines().size() - 1))
            .contains("holds")
            .contains("--force");
      } finally {
        ProcessRegistry.stopByPidFile(dir.resolve("redis.pid"));
      }
    }
  }

  @Test
  void restoreToDirGivesAFolderAServerStartsOnWithTheSameData() throws Exception {
    Path folder = tmp.resolve("new-host");
    RedisOpsProcess.Result r =
        RedisOpsProcess.run(cli("--json", "restore", "--latest", "--to-dir", folder.toString()));
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(RepoTree.json(r.stdout()).get("config").asText())
        .isEqualTo(folder.resolve("redis.conf").toString());
    assertThat(folder.resolve("dump.rdb")).isRegularFile();

    int port = FreePorts.next();
    Path pid = tmp.resolve("started.pid");
    Process p =
        new ProcessBuilder(
                "redis-server",
                folder.resolve("redis.conf").toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "yes",
                "--pidfile",
                pid.toString(),
                "--logfile",
                tmp.resolve("started.log").toString())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("launch.out").toFile())
            .start();
    try {
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String uri = "redis://127.0.0.1:" + port;
      Await.until(
          Duration.ofSeconds(30),
          "the server on the folder answers",
          () -> {
            try {
              return with(uri, c -> c.ping()).equals("PONG");
            } catch (RuntimeException e) {
              return false;
            }
          });
      assertThat(with(uri, KeyspaceDump::of)).isEqualTo(backedUp);
    } finally {
      ProcessRegistry.stopByPidFile(pid);
    }

    RedisOpsProcess.Result notEmpty =
        RedisOpsProcess.run(cli("restore", "--latest", "--to-dir", folder.toString()));
    assertThat(notEmpty.exitCode()).as(notEmpty.describe()).isEqualTo(5);
    assertThat(notEmpty.stderrLines().get(0)).contains("not empty");
  }
}
