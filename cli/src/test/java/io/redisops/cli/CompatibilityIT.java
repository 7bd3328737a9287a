package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.redisops.testkit.Await;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.KeyspaceDump;
import io.redisops.testkit.ProcessRegistry;
import io.redisops.testkit.RedisGroup;
import io.redisops.testkit.RedisServer;
import io.redisops.testkit.ServerBuild;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compatibility matrix: every supported server line (Debian's Redis 7.0 and the servers {@code
 * scripts/build-servers.sh} builds from Debian's source packages) through the real jar, as an
 * operator on that server's host would run it (its programs first in PATH, so {@code
 * redis-check-aof} is the server's own).
 *
 * <p>Per server: backup by both methods of every type (hash fields with their own TTL where the
 * server has them, streams with groups and pending entries, several databases); list and verify
 * with the server's key count; restore into a server of the same line with equal data; aof check,
 * repair of a torn tail and undo-flushall. A server that is not built is reported as skipped, and
 * every run prints which servers ran.
 */
class CompatibilityIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private final List<RedisServer> servers = new ArrayList<>();
  private final List<Path> pidFiles = new ArrayList<>();

  static Stream<String> servers() {
    return ServerBuild.MATRIX.stream();
  }

  @AfterEach
  void stopEverything() throws IOException {
    pidFiles.forEach(ProcessRegistry::stopByPidFile);
    servers.forEach(RedisServer::close);
  }

  private static ServerBuild built(String name) {
    Optional<ServerBuild> build = ServerBuild.find(name);
    if (build.isEmpty()) {
      System.out.println(
          "compatibility: "
              + name
              + " SKIPPED (not built in "
              + ServerBuild.cache()
              + "; scripts/build-servers.sh builds it)");
    }
    assumeTrue(build.isPresent(), name + " is not built; run scripts/build-servers.sh " + name);
    return build.get();
  }

  private RedisServer start(ServerBuild build, String folder, String... config) {
    Path dir = tmp.resolve(folder);
    RedisServer.Builder b =
        RedisServer.builder()
            .server(build)
            .dir(dir)
            .config("pidfile", "\"" + dir.resolve("redis.pid") + "\"");
    for (int i = 0; i + 1 < config.length; i += 2) {
      b.config(config[i], config[i + 1]);
    }
    RedisServer s = b.start();
    servers.add(s);
    pidFiles.add(dir.resolve("redis.pid"));
    return s;
  }

  private Path config(String dataset, RedisServer redis) throws IOException {
    Path f = tmp.resolve(dataset + "-" + System.nanoTime() + ".yaml");
    Files.writeString(
        f,
        "datasets:\n  - name: "
            + dataset
            + "\n    redis:\n      uri: "
            + redis.uri()
            + "\n"
            + "repository:\n  path: "
            + tmp.resolve("repo")
            + "\nhttp:\n  listen: \"off\"\n");
    return f;
  }

  /**
   * The jar with the server's own programs first in PATH, as on a host where that server is
   * installed.
   */
  private static RedisOpsProcess.Result cli(ServerBuild build, String... args) {
    RedisOpsProcess p = RedisOpsProcess.of(args);
    if (build.binDir() != null) {
      p.env("PATH", build.binDir() + ":" + System.getenv("PATH"));
    }
    return p.run(RedisOpsProcess.DEFAULT_TIMEOUT);
  }

  private static long keysOf(RedisServer s) {
    return KeyspaceDump.count(KeyspaceDump.of(s.sync()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void backupListVerifyAndRestoreKeepEveryValueAndTtl(String name) throws Exception {
    ServerBuild build = built(name);
    RedisServer source = start(build, "source", "repl-diskless-sync-delay", "0");
    String version = source.info("server", build.isValkey() ? "valkey_version" : "redis_version");
    System.out.println(
        "compatibility: "
            + name
            + " RUNNING ("
            + (build.isValkey() ? "Valkey " : "Redis ")
            + version
            + ")");
    DataFixture.fill(source.sync(), 1);
    boolean fieldTtls = DataFixture.fillFieldTtls(source.sync());
    assertThat(fieldTtls)
        .as("field TTLs on " + name)
        .isEqualTo(!name.equals("redis-7.0") && !name.equals("valkey-8.1"));
    Map<Integer, Map<String, KeyspaceDump.KeyState>> expected = KeyspaceDump.of(source.sync());
    long keys = KeyspaceDump.count(expected);
    Path cfg = config("compat", source);

    for (String method : List.of("bgsave", "replication")) {
      RedisOpsProcess.Result b = cli(build, "-c", cfg.toString(), "backup", "--method", method);
      assertThat(b.exitCode()).as(method + ": " + b.stderr()).isZero();
    }
    RedisOpsProcess.Result list = cli(build, "-c", cfg.toString(), "--json", "list");
    assertThat(list.exitCode()).as(list.stderr()).isZero();
    JsonNode backups = JSON.readTree(list.stdout()).get("backups");
    assertThat(backups).hasSize(2);
    String format =
        switch (name) {
          case "redis-7.0" -> "REDIS0010";
          case "valkey-8.1" -> "REDIS0011";
          case "redis-8.0" -> "REDIS0012";
          case "redis-8.6" -> "REDIS0013";
          default -> "VALKEY080";
        };
    for (JsonNode row : backups) {
      assertThat(row.get("total_keys").asLong()).as(row.toString()).isEqualTo(keys);
      assertThat(row.get("verification").asText()).as(row.toString()).isEqualTo("full");
      assertThat(row.get("rdb_format").asText()).isEqualTo(format);
      assertThat(row.get("method").asText()).isIn("bgsave", "replication");
    }
    RedisOpsProcess.Result verify = cli(build, "-c", cfg.toString(), "verify", "--all");
    assertThat(verify.exitCode()).as(verify.stdout() + verify.stderr()).isZero();

    // Restore each backup into a server of the same line that runs with AOF (the full safe
    // sequence).
    for (JsonNode row : backups) {
      RedisServer target =
          start(build, "target-" + row.get("method").asText(), "appendonly", "yes");
      target.sync().set("junk", "replaced by the restore");
      Path targetCfg =
          Files.writeString(
              tmp.resolve("t-" + row.get("method").asText() + ".yaml"),
              "datasets:\n  - name: compat\n    redis:\n      uri: "
                  + target.uri()
                  + "\n"
                  + "repository:\n  path: "
                  + tmp.resolve("repo")
                  + "\nhttp:\n  listen: \"off\"\n");
      RedisOpsProcess.Result restore =
          cli(
              build,
              "-c",
              targetCfg.toString(),
              "restore",
              "--backup",
              row.get("id").asText(),
              "--yes");
      assertThat(restore.exitCode()).as(restore.stdout() + restore.stderr()).isZero();
      // redis-ops restarted the target outside the testkit (stopped by its pid file afterwards):
      // connect only
      RedisClient client = RedisClient.create(target.uri());
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        assertThat(KeyspaceDump.of(c.sync()))
            .as("data restored from the " + row.get("method") + " backup")
            .isEqualTo(expected);
        assertThat(c.sync().info("persistence")).contains("aof_enabled:1");
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("servers")
  void aofCheckRepairAndUndoFlushall(String name) throws Exception {
    ServerBuild build = built(name);
    RedisServer redis =
        start(
            build,
            "aof",
            "appendonly",
            "yes",
            "appendfsync",
            "always",
            "aof-timestamp-enabled",
            "yes",
            "aof-load-truncated",
            "no",
            "auto-aof-rewrite-percentage",
            "0");
    System.out.println("compatibility: " + name + " RUNNING (aof)");
    DataFixture.fillFieldTtls(redis.sync());
    redis.sync().bgrewriteaof(); // a base holding real data, in the server's own RDB format
    Await.until(
        Duration.ofSeconds(30),
        "AOF rewrite done",
        () ->
            "0".equals(redis.info("persistence", "aof_rewrite_in_progress"))
                && "0".equals(redis.info("persistence", "aof_rewrite_scheduled")));
    for (int i = 1; i <= 5; i++) {
      redis.sync().set("k" + i, "v" + i);
    }
    long keys = keysOf(redis);
    String dir = redis.dir().toString();
    RedisOpsProcess.Result check = cli(build, "--redis", redis.uri(), "aof", "check");
    assertThat(check.exitCode()).as(check.stdout() + check.stderr()).isZero();

    redis.kill9();
    Path incr = lastIncr(redis.dir());
    Files.writeString(incr, "*3\r\n$3\r\nset\r\n$2\r\nk6", StandardOpenOption.APPEND);
    RedisOpsProcess.Result damaged = cli(build, "aof", "check", "--dir", dir);
    assertThat(damaged.exitCode()).as(damaged.stdout() + damaged.stderr()).isEqualTo(3);
    assertThat(damaged.stdout()).contains("DAMAGED");
    RedisOpsProcess.Result repair = cli(build, "aof", "repair", "--dir", dir, "--yes");
    assertThat(repair.exitCode()).as(repair.stdout() + repair.stderr()).isZero();
    redis.start();
    assertThat(keysOf(redis)).isEqualTo(keys);

    for (int i = 1; i <= 20; i++) {
      redis.sync().set("u" + i, "v" + i);
    }
    long before = keysOf(redis);
    redis.sync().flushall();
    RedisOpsProcess.Result undo =
        cli(build, "--json", "--redis", redis.uri(), "aof", "undo-flushall", "--yes");
    assertThat(undo.exitCode()).as(undo.stdout() + undo.stderr()).isZero();
    JsonNode doc = JSON.readTree(undo.stdout());
    assertThat(doc.get("keys_after").asLong()).isEqualTo(before);
    long started = doc.get("started_pid").asLong();
    ProcessHandle.of(started)
        .ifPresent(
            h -> {
              h.destroy();
              h.onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS).join();
            });
  }

  private static Path lastIncr(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("appendonlydir"))) {
      return files
          .filter(p -> p.toString().endsWith(".incr.aof"))
          .sorted()
          .reduce((a, b) -> b)
          .orElseThrow();
    }
  }

  @Test
  void aNewerRdbIntoAnOlderServerIsRefusedBeforeAnythingChanges() throws Exception {
    refusedInto("redis-8.0", "redis-7.0", "loads RDB versions up to 10");
  }

  @Test
  void aValkeyRdbIntoRedisIsRefusedBeforeAnythingChanges() throws Exception {
    refusedInto("valkey-9.1", "redis-8.0", "cannot load Valkey's VALKEY080");
  }

  private void refusedInto(String from, String into, String reason) throws Exception {
    ServerBuild source = built(from);
    ServerBuild target = built(into);
    RedisServer s = start(source, "from");
    DataFixture.fillFieldTtls(s.sync());
    s.sync().set("from", from);
    RedisOpsProcess.Result backup = cli(source, "-c", config("ds", s).toString(), "backup");
    assertThat(backup.exitCode()).as(backup.stderr()).isZero();
    RedisServer t = start(target, "into", "appendonly", "yes");
    t.sync().set("precious", "still here");
    long pid = t.pid();
    byte[] configBefore = Files.readAllBytes(t.configFile());
    Path cfg =
        Files.writeString(
            tmp.resolve("into.yaml"),
            "datasets:\n  - name: ds\n    redis:\n      uri: "
                + t.uri()
                + "\nrepository:\n  path: "
                + tmp.resolve("repo")
                + "\nhttp:\n  listen: \"off\"\n");
    RedisOpsProcess.Result restore =
        cli(target, "-c", cfg.toString(), "restore", "--latest", "--yes");
    assertThat(restore.exitCode()).as(restore.stdout() + restore.stderr()).isEqualTo(5);
    assertThat(restore.stderr()).contains(reason).contains("nothing was changed");
    assertThat(t.pid()).isEqualTo(pid);
    assertThat(t.sync().get("precious")).isEqualTo("still here");
    assertThat(t.sync().dbsize()).isEqualTo(1);
    assertThat(Files.readAllBytes(t.configFile())).isEqualTo(configBefore);
  }

  @Test
  void aSentinelGroupOfValkey9IsBackedUpFromItsReplica() throws Exception {
    ServerBuild valkey = built("valkey-9.1");
    try (RedisGroup group = RedisGroup.builder().server(valkey).replicas(1).sentinels(3).build()) {
      group.start();
      group.master().sync().set("k", "v");
      DataFixture.fillFieldTtls(group.master().sync());
      Await.until(
          Duration.ofSeconds(30),
          "replica caught up",
          () -> keysOf(group.replicas().get(0)) == keysOf(group.master()));
      String nodes =
          group.sentinels().stream()
              .map(x -> "\"" + x.host() + ":" + x.port() + "\"")
              .reduce((a, b) -> a + ", " + b)
              .orElseThrow();
      // the daemon of the replica's host backs up its local replica (backup-from: replica)
      RedisServer replica = group.replicas().get(0);
      Path cfg =
          Files.writeString(
              tmp.resolve("sentinel.yaml"),
              "datasets:\n  - name: mymaster\n    redis:\n"
                  + "      uri: "
                  + replica.uri()
                  + "\n    sentinel:\n      master: mymaster\n      nodes: ["
                  + nodes
                  + "]\n"
                  + "repository:\n  path: "
                  + tmp.resolve("repo")
                  + "\nhttp:\n  listen: \"off\"\n",
              StandardCharsets.UTF_8);
      RedisOpsProcess.Result backup = cli(valkey, "-c", cfg.toString(), "--json", "backup");
      assertThat(backup.exitCode()).as(backup.stdout() + backup.stderr()).isZero();
      JsonNode m = JSON.readTree(backup.stdout()).get("backup");
      assertThat(m.get("source").get("role").asText()).isIn("slave", "replica");
      assertThat(m.get("source").get("engine").asText()).isEqualTo("valkey");
      assertThat(m.get("total_keys").asLong()).isEqualTo(keysOf(group.master()));
      assertThat(m.get("rdb_engine").asText()).isEqualTo("valkey");
      RedisOpsProcess.Result status =
          cli(valkey, "-c", cfg.toString(), "--json", "sentinel", "status");
      assertThat(status.exitCode()).as(status.stdout() + status.stderr()).isZero();
      JsonNode view = JSON.readTree(status.stdout());
      assertThat(view.toString()).contains(String.valueOf(group.master().port()));
      assertThat(view.get("sentinels")).hasSize(3);
    }
  }
}
