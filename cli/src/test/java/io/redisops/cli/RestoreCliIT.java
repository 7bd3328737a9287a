package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.KeyspaceDump;
import io.redisops.testkit.ProcessRegistry;
import io.redisops.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code redis-ops restore} as a separate process (the real jar) against a real redis-server with AOF on. */
class RestoreCliIT {
  static final Path JAR = Path.of("target", "redis-ops.jar").toAbsolutePath();

  @TempDir
  Path tmp;

  RedisServer redis;
  Map<Integer, Map<String, KeyspaceDump.KeyState>> backedUp;
  Map<Integer, Map<String, KeyspaceDump.KeyState>> original;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void backupThenChange() throws Exception {
    Path dir = tmp.resolve("redis");
    redis = RedisServer.builder().dir(dir).config("appendonly", "yes")
        .config("pidfile", "\"" + dir.resolve("redis.pid") + "\"").start();
    DataFixture.fill(redis.sync(), 1);
    backedUp = KeyspaceDump.of(redis.sync());
    assertThat(run(config(null), "backup").exit()).isZero();
    redis.sync().flushall();
    redis.sync().set("after", "the backup");
    original = KeyspaceDump.of(redis.sync());
  }

  @AfterEach
  void stop() throws Exception {
    Path pidfile = redis.dir().resolve("redis.pid");
    if (Files.exists(pidfile)) {
      ProcessHandle.of(Long.parseLong(Files.readString(pidfile).strip())).ifPresent(h -> {
        h.destroy();
        try {
          h.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          h.destroyForcibly();
        }
      });
    }
    redis.close();
  }

  /** A config file; {@code startCommand} (YAML list) or null for the default. */
  private Path config(String startCommand) throws Exception {
    Path f = tmp.resolve("c" + System.nanoTime() + ".yaml");
    Files.writeString(f, "datasets:\n  - name: ds\n    redis:\n      uri: " + redis.uri() + "\n"
        + (startCommand == null ? "" : "      start-command: " + startCommand + "\n")
        + "repository:\n  path: " + tmp.resolve("repo") + "\n");
    return f;
  }

  private Run run(Path config, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
        JAR.toString(), "-c", config.toString()));
    cmd.addAll(List.of(args));
    Path out = tmp.resolve("out-" + System.nanoTime());
    Path err = tmp.resolve("err-" + System.nanoTime());
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
    ProcessRegistry.register(p.toHandle());
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("redis-ops " + String.join(" ", args) + " did not finish");
    }
    ProcessRegistry.unregister(p.toHandle());
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  private <T> T with(Function<RedisCommands<String, String>, T> action) {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return action.apply(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** The restore's start command kills the redis-ops process itself: a restore killed midway, Redis down. */
  private Run killedRestore() throws Exception {
    Run killed = run(config("[sh, -c, 'kill -9 $PPID']"), "restore", "--latest", "--yes");
    assertThat(killed.exit()).isEqualTo(137);
    assertThat(killed.out()).contains("stop done").contains("place done").contains("6/10 start");
    assertThat(tmp.resolve("repo").resolve("ds").resolve(".restore-state.json")).isRegularFile();
    return killed;
  }

  @Test
  void aKilledRestoreIsReportedThenResumed() throws Exception {
    killedRestore();
    Run again = run(config(null), "restore", "--latest", "--yes");
    assertThat(again.exit()).isEqualTo(5);
    assertThat(again.err()).contains("was interrupted at step 'start'").contains("redis-ops-quarantine-")
        .contains("--resume").contains("--rollback");

    Run resumed = run(config(null), "restore", "--resume");
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    assertThat(resumed.out()).contains("resuming").contains("6/10 start").contains("10/10 verify done")
        .doesNotContain("1/10 fetch");
    assertThat(with(KeyspaceDump::of)).isEqualTo(backedUp);
    assertThat(with(r -> r.info("persistence")).contains("aof_enabled:1")).isTrue();
    assertThat(Files.readString(redis.configFile())).contains("appendonly yes");
  }

  @Test
  void aKilledRestoreIsRolledBack() throws Exception {
    String configBefore = Files.readString(redis.configFile());
    killedRestore();
    Run rolledBack = run(config(null), "restore", "--rollback");
    assertThat(rolledBack.exit()).as(rolledBack.err()).isZero();
    assertThat(rolledBack.out()).contains("rollback done").contains("serves the original data again");
    assertThat(with(KeyspaceDump::of)).isEqualTo(original);
    assertThat(Files.readString(redis.configFile())).isEqualTo(configBefore);
    assertThat(run(config(null), "restore", "--rollback").exit()).isEqualTo(4);
  }

  @Test
  void planDryRunConsentAndTimes() throws Exception {
    long pid = redis.pid();
    Run dry = run(config(null), "restore", "--at", "-1s", "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("SHUTDOWN NOSAVE").contains(redis.configFile().toString())
        .contains("redis-ops-quarantine-").contains("appendonly no").contains("redis-server " + redis.configFile()
            + " --daemonize yes").contains("dry run: nothing was changed");

    Run noTerminal = run(config(null), "restore", "--latest");
    assertThat(noTerminal.exit()).isEqualTo(5);
    assertThat(noTerminal.out()).contains("1. fetch");
    assertThat(noTerminal.err()).contains("no terminal").contains("--yes");

    Run future = run(config(null), "restore", "--at", "2999-01-01 00:00");
    assertThat(future.exit()).isEqualTo(2);
    assertThat(future.err()).contains("in the future");
    Run bad = run(config(null), "restore", "--at", "half past ten");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("HH:MM[:SS]");
    Run tooEarly = run(config(null), "restore", "--at", "2001-01-01T00:00:00Z");
    assertThat(tooEarly.exit()).isEqualTo(4);
    assertThat(tooEarly.err()).contains("the oldest available is");
    Run offsite = run(config(null), "restore", "--latest", "--from", "offsite", "--yes");
    assertThat(offsite.exit()).isEqualTo(2);

    assertThat(redis.pid()).isEqualTo(pid);
    assertThat(redis.isAlive()).isTrue();
    assertThat(KeyspaceDump.of(redis.sync())).isEqualTo(original);
  }
}
