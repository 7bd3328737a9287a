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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code redis-ops restore} as a separate process (the real jar) against a real redis-server with
 * AOF on.
 */
class RestoreCliIT {
  static final Path JAR = Path.of("target", "redis-ops.jar").toAbsolutePath();

  @TempDir Path tmp;

  RedisServer redis;
  Map<Integer, Map<String, KeyspaceDump.KeyState>> backedUp;
  Map<Integer, Map<String, KeyspaceDump.KeyState>> original;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void backupThenChange() throws Exception {
    Path dir = tmp.resolve("redis");
    redis =
        RedisServer.builder()
            .dir(dir)
            .config("appendonly", "yes")
            .config("pidfile", "\"" + dir.resolve("redis.pid") + "\"")
            .start();
    DataFixture.fill(redis.sync(), 1);
    backedUp = KeyspaceDump.of(redis.sync());
    assertThat(run(config(null), "backup").exit()).isZero();
    redis.sync().flushall();
    redis.sync().set("after", "the backup");
    original = KeyspaceDump.of(redis.sync());
  }

  @AfterEach
  void stop() throws Exception {
    ProcessRegistry.stopByPidFile(redis.dir().resolve("redis.pid"));
    redis.close();
  }

  /** A config file; {@code startCommand} (YAML list) or null for the default. */
  private Path config(String startCommand) throws Exception {
    Path f = tmp.resolve("c" + System.nanoTime() + ".yaml");
    Files.writeString(
        f,
        "datasets:\n  - name: ds\n    redis:\n      uri: "
            + redis.uri()
            + "\n"
            + (startCommand == null ? "" : "      start-command: " + startCommand + "\n")
            + "repository:\n  path: "
            + tmp.resolve("repo")
            + "\n");
    return f;
  }

  private Run run(Path config, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                JAR.toString(),
                "-c",
                config.toString()));
    cmd.addAll(List.of(args));
    Path out = tmp.resolve("out-" + System.nanoTime());
    Path err = tmp.resolve("err-" + System.nanoTime());
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    ProcessRegistry.register(p.toHandle());
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("redis-ops " + String.join(" ", args) + " did not finish");
    }
    ProcessRegistry.unregister(p.toHandle());
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private <T> T with(Function<RedisCommands<String, String>, T> action) {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return action.apply(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /**
   * Runs the jar on a pseudo-terminal (util-linux {@code script}) with {@code input} typed in;
   * stdout and stderr arrive together in {@code out}.
   */
  private Run onTerminal(String input, String... args) throws Exception {
    StringBuilder cmd =
        new StringBuilder(
            "'" + ProcessHandle.current().info().command().orElse("java") + "' -jar '" + JAR + "'");
    for (String a : args) {
      cmd.append(" '").append(a.replace("'", "'\\''")).append("'");
    }
    Path in = Files.writeString(tmp.resolve("typed-" + System.nanoTime()), input);
    Path out = tmp.resolve("tty-" + System.nanoTime());
    Process p =
        new ProcessBuilder("/usr/bin/script", "-qefc", cmd.toString(), "/dev/null")
            .redirectInput(in.toFile())
            .redirectOutput(out.toFile())
            .redirectErrorStream(true)
            .start();
    ProcessRegistry.register(p.toHandle());
    try {
      assertThat(p.waitFor(3, TimeUnit.MINUTES))
          .as("redis-ops %s ended", String.join(" ", args))
          .isTrue();
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      ProcessRegistry.unregister(p.toHandle());
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), "");
  }

  /** Whether anything accepts connections on the Redis port. */
  private boolean listening() {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(
          new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), redis.port()),
          1000);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /**
   * The restore's start command kills the redis-ops process itself: a restore killed midway, Redis
   * down.
   */
  private Run killedRestore() throws Exception {
    Run killed = run(config("[sh, -c, 'kill -9 $PPID']"), "restore", "--latest", "--yes");
    assertThat(killed.exit()).isEqualTo(137);
    assertThat(killed.out()).contains("stop done").contains("place done").contains("6/8 start");
    assertThat(tmp.resolve("repo").resolve("ds").resolve(".restore-state.json")).isRegularFile();
    return killed;
  }

  @Test
  void aKilledRestoreIsReportedThenResumed() throws Exception {
    killedRestore();
    Run again = run(config(null), "restore", "--latest", "--yes");
    assertThat(again.exit()).isEqualTo(5);
    assertThat(again.err())
        .contains("was interrupted at step 'start'")
        .contains("redis-ops-quarantine/")
        .contains("--resume")
        .contains("--rollback");

    // the consent rule: no terminal and no --yes refuses, and changes nothing
    Path state = tmp.resolve("repo").resolve("ds").resolve(".restore-state.json");
    String stateBefore = Files.readString(state);
    Run unconfirmed = run(config(null), "restore", "--resume");
    assertThat(unconfirmed.exit()).as(unconfirmed.err()).isEqualTo(5);
    assertThat(unconfirmed.out()).contains("resume the interrupted restore").contains("start");
    assertThat(unconfirmed.err())
        .contains("'restore --resume' needs confirmation")
        .contains("nothing was changed");
    assertThat(Files.readString(state)).isEqualTo(stateBefore);
    assertThat(listening()).as("Redis was not started").isFalse();
    // --dry-run with a restore pending says what the real command says
    Run dry = run(config(null), "restore", "--latest", "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isEqualTo(5);
    assertThat(dry.err()).contains("was interrupted at step 'start'").contains("restore --resume");

    Run resumed = run(config(null), "restore", "--resume", "--yes");
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    assertThat(resumed.out())
        .contains("resuming")
        .contains("6/8 start")
        .contains("8/8 verify done")
        .doesNotContain("1/8 fetch");
    assertThat(with(KeyspaceDump::of)).isEqualTo(backedUp);
    assertThat(with(r -> r.info("persistence")).contains("aof_enabled:1")).isTrue();
    assertThat(Files.readString(redis.configFile())).contains("appendonly yes");
  }

  @Test
  void aKilledRestoreIsRolledBack() throws Exception {
    String configBefore = Files.readString(redis.configFile());
    killedRestore();
    Run unconfirmed = run(config(null), "restore", "--rollback");
    assertThat(unconfirmed.exit()).as(unconfirmed.err()).isEqualTo(5);
    assertThat(unconfirmed.out())
        .contains("roll back the interrupted restore")
        .contains("undo, last first: start");
    assertThat(unconfirmed.err()).contains("'restore --rollback' needs confirmation");
    assertThat(tmp.resolve("repo").resolve("ds").resolve(".restore-state.json")).isRegularFile();
    assertThat(listening()).as("Redis was not started").isFalse();

    if (Files.isExecutable(Path.of("/usr/bin/script"))) {
      // on a terminal the plan is followed by the question; answering no changes nothing either
      Run declined = onTerminal("n\n", "-c", config(null).toString(), "restore", "--rollback");
      assertThat(declined.exit()).as(declined.out()).isEqualTo(5);
      assertThat(declined.out())
          .contains("roll back the interrupted restore")
          .contains("Go ahead with restore --rollback?")
          .contains("'restore --rollback' not confirmed; nothing was changed");
      assertThat(tmp.resolve("repo").resolve("ds").resolve(".restore-state.json")).isRegularFile();
      assertThat(listening()).as("Redis was not started").isFalse();
    }

    Run rolledBack = run(config(null), "restore", "--rollback", "--yes");
    assertThat(rolledBack.exit()).as(rolledBack.err()).isZero();
    assertThat(rolledBack.out())
        .contains("rollback done")
        .contains("serves the original data again");
    assertThat(with(KeyspaceDump::of)).isEqualTo(original);
    assertThat(Files.readString(redis.configFile())).isEqualTo(configBefore);
    assertThat(run(config(null), "restore", "--rollback", "--yes").exit()).isEqualTo(4);
  }

  @Test
  void planDryRunConsentAndTimes() throws Exception {
    long pid = redis.pid();
    // "-1s" means a second before the command parses it: the backup must be older than that
    Instant taken;
    try (java.util.stream.Stream<Path> files = Files.walk(tmp.resolve("repo").resolve("ds"))) {
      Path manifest =
          files
              .filter(f -> f.getFileName().toString().equals("manifest.json"))
              .findFirst()
              .orElseThrow();
      taken = Instant.parse(RepoTree.json(manifest).path("snapshot_time").asText());
    }
    io.redisops.testkit.Await.until(
        Duration.ofSeconds(10),
        "the backup to be more than a second old",
        () -> Instant.now().isAfter(taken.plusMillis(1100)));
    Run dry = run(config(null), "restore", "--at", "-1s", "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(dry.out())
        .contains("SHUTDOWN NOSAVE")
        .contains(redis.configFile().toString())
        .contains("redis-ops-quarantine/")
        .contains("as the base of a new AOF") // AOF on in the file and at runtime
        .contains("redis-server " + redis.configFile() + " --daemonize yes")
        .contains("dry run: nothing was changed");

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

  @Test
  void ctrlCDuringTheFetchLeavesNothingPending() throws Exception {
    long pid = redis.pid();
    // The stored object becomes a named pipe fed by this test: the fetch reads half of it, then
    // waits, so the
    // signal surely lands during the fetch.
    Path object;
    try (java.util.stream.Stream<Path> files = Files.walk(tmp.resolve("repo").resolve("ds"))) {
      object =
          files
              .filter(f -> f.getFileName().toString().startsWith("dump.rdb"))
              .findFirst()
              .orElseThrow();
    }
    byte[] stored = Files.readAllBytes(object);
    Files.delete(object);
    assertThat(new ProcessBuilder("mkfifo", object.toString()).start().waitFor()).isZero();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Thread feeder =
        new Thread(
            () -> {
              try (java.io.OutputStream out = Files.newOutputStream(object)) {
                out.write(stored, 0, stored.length / 2);
                out.flush();
                release.await();
              } catch (Exception e) {
                // the reader is gone (killed): nothing more to feed
              }
            },
            "fifo-feeder");
    feeder.setDaemon(true);
    feeder.start();

    Path cfg = config(null);
    Path out = tmp.resolve("ctrl-c.out");
    Path err = tmp.resolve("ctrl-c.err");
    Process p =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                JAR.toString(),
                "-c",
                cfg.toString(),
                "restore",
                "--latest",
                "--yes")
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    ProcessRegistry.register(p.toHandle());
    try {
      io.redisops.testkit.Await.until(
          Duration.ofSeconds(60),
          "the fetch to be writing its partial copy",
          () -> read(out).contains("1/8 fetch:") && !partialCopies().isEmpty());
      assertThat(new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor())
          .isZero();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("redis-ops ended after SIGINT").isTrue();
    } finally {
      release.countDown();
      p.destroyForcibly();
      ProcessRegistry.unregister(p.toHandle());
    }
    String said = read(err);
    assertThat(p.exitValue()).as(said).isEqualTo(130);
    assertThat(said)
        .contains(
            "interrupted at step 'fetch', before Redis was touched: nothing was changed and nothing"
                + " is pending");
    assertThat(tmp.resolve("repo").resolve("ds").resolve(".restore-state.json")).doesNotExist();
    assertThat(partialCopies()).isEmpty();
    assertThat(redis.pid()).isEqualTo(pid);
    assertThat(KeyspaceDump.of(redis.sync())).isEqualTo(original);

    // nothing pending: the next restore is not refused
    Files.delete(object);
    Files.write(object, stored);
    Run dry = run(config(null), "restore", "--latest", "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
  }

  @Test
  void ctrlCAfterTheStopSaysWhereRedisIsAndWhatToRun() throws Exception {
    // The start command sends SIGINT to redis-ops itself, as Ctrl-C would while Redis starts.
    Path cfg = config("[sh, -c, 'kill -INT $PPID']");
    Run interrupted = run(cfg, "restore", "--latest", "--yes");
    assertThat(interrupted.exit()).as(interrupted.err()).isEqualTo(130);
    assertThat(interrupted.err())
        .contains("interrupted at step 'start'")
        .contains(
            "run 'redis-ops -c "
                + cfg
                + " restore --resume' to finish the restore, or 'redis-ops -c "
                + cfg
                + " restore --rollback' to undo it")
        .contains("redis-ops-quarantine/");
    assertThat(tmp.resolve("repo").resolve("ds").resolve(".restore-state.json")).isRegularFile();

    Run resumed = run(config(null), "restore", "--resume", "--yes");
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    assertThat(with(KeyspaceDump::of)).isEqualTo(backedUp);
  }

  @Test
  void aCrashedRedisIsRestoredFromItsConfigFile() throws Exception {
    // the disaster case: Redis killed, its AOF gone, it cannot come back by itself
    redis.kill9();
    Path aofDir = redis.dir().resolve("appendonlydir");
    try (java.util.stream.Stream<Path> files = Files.walk(aofDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
    assertThat(listening()).isFalse();

    // without the config file nothing tells where its files are: one line saying what to give
    Run unknown = run(config(null), "restore", "--latest", "--yes");
    assertThat(unknown.exit()).as(unknown.err()).isEqualTo(1);
    assertThat(unknown.err().strip())
        .doesNotContain("\n")
        .contains("unable to connect")
        .contains("restore --config-file FILE");

    Run restored =
        run(
            config(null),
            "restore",
            "--latest",
            "--yes",
            "--config-file",
            redis.configFile().toString());
    assertThat(restored.exit()).as(restored.out() + restored.err()).isZero();
    assertThat(restored.out())
        .contains("does not answer: restoring it as a stopped server")
        .contains("nothing to stop")
        .contains("stop done in")
        .contains("Redis was not running")
        .contains("8/8 verify done");
    assertThat(with(KeyspaceDump::of)).isEqualTo(backedUp);
    assertThat(with(r -> r.info("persistence")).contains("aof_enabled:1")).isTrue();
    assertThat(Files.readString(redis.configFile())).contains("appendonly yes");
    assertThat(aofDir).isDirectory();
  }

  /** The restore's partial copies in the data directory. */
  private List<Path> partialCopies() {
    try (java.util.stream.Stream<Path> files = Files.list(redis.dir())) {
      return files
          .filter(f -> f.getFileName().toString().startsWith(".redis-ops-restore-"))
          .toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
