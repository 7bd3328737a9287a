package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.testkit.ProcessRegistry;
import io.redisops.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress of the real jar on a terminal (a pseudo-terminal from util-linux {@code script}) while
 * the server works: a BGSAVE read while the server's child writes it shows the bytes read so far,
 * their rate and the time (the total is known only at the end), the load during a restore shows
 * INFO's {@code loading_loaded_perc}, the AOF rewrite shows what is known instead of {@code ? % [=]
 * 0/? MiB}, and rates have a digit before the point. Without a terminal the same figures are logged
 * ({@code -v}). The server is slowed down on purpose ({@code rdb-key-save-delay}, {@code
 * key-load-delay}) so that each phase lasts seconds.
 */
class ProgressTerminalIT {
  private static final Path SCRIPT = Path.of("/usr/bin/script");

  /** A rate like ".5 MiB/s": no digit before the point. */
  private static final Pattern BARE_FRACTION = Pattern.compile("(?<![0-9])\\.[0-9]+ ?[KMGT]?i?B/s");

  private static final int KEYS = 20_000;

  @TempDir Path tmp;

  RedisServer redis;

  @BeforeEach
  void start() {
    Path dir = tmp.resolve("redis");
    redis =
        RedisServer.builder()
            .dir(dir)
            .config("pidfile", "\"" + dir.resolve("redis.pid") + "\"")
            // a restarted server loads slowly, and answers INFO between small chunks while it does
            .config("key-load-delay", "100")
            .config("loading-process-events-interval-bytes", "1024")
            .start();
    // AOF on at runtime only: the restore then loads the RDB and rewrites the AOF while serving,
    // whose progress is shown (with AOF on in the config file the RDB would become the AOF's base)
    redis.sync().configSet("appendonly", "yes");
    io.redisops.testkit.Await.until(
        java.time.Duration.ofSeconds(30),
        "the AOF switched on at runtime to be written",
        () ->
            "1".equals(redis.info("persistence", "aof_enabled"))
                && "0".equals(redis.info("persistence", "aof_rewrite_in_progress")));
    Map<String, String> batch = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      batch.put("key:" + i, "value:" + i);
      if (batch.size() == 1000) {
        redis.sync().mset(batch);
        batch.clear();
      }
    }
  }

  @AfterEach
  void stop() throws Exception {
    // the restore restarts Redis under its own start command: stop that process by the pidfile's
    // PID
    ProcessRegistry.stopByPidFile(redis.dir().resolve("redis.pid"));
    redis.close();
  }

  private Path config() throws Exception {
    return Files.writeString(
        tmp.resolve("redis-ops.yaml"),
        "datasets:\n  - name: ds\n    redis:\n      uri: "
            + redis.uri()
            + "\nrepository:\n  path: "
            + tmp.resolve("repo")
            + "\n");
  }

  @Test
  void theServersWorkIsShownOnATerminal() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(SCRIPT), "util-linux 'script' (a pseudo-terminal) is not installed");
    Path cfg = config();
    redis.sync().configSet("rdb-key-save-delay", "100"); // some seconds of BGSAVE

    Tty backup = onTerminal("-c", cfg.toString(), "backup", "--method", "bgsave");
    assertThat(backup.exit).as(backup.output).isZero();
    assertThat(backup.output)
        .as(backup.output)
        .containsPattern("capture ds/\\S+: [0-9.]+ (B|KiB|MiB), [0-9.]+ (B|KiB|MiB)/s, \\d+ s");
    assertThat(backup.output).containsPattern("capture ds/\\S+: .*, [1-9]\\d* s"); // the time moves
    assertThat(backup.output).doesNotContainPattern(BARE_FRACTION);

    redis.sync().configSet("rdb-key-save-delay", "0");
    Tty restore = onTerminal("-c", cfg.toString(), "restore", "--latest", "--yes");
    assertThat(restore.exit).as(restore.output).isZero();
    assertThat(restore.output)
        .as(restore.output)
        .containsPattern(
            "start Redis on 127\\.0\\.0\\.1:"
                + redis.port()
                + ": [0-9.]+ %, loading dump\\.rdb, loading_loaded_perc:[0-9.]+, .* of .*, \\d+ s")
        .contains("AOF rewrite: ")
        .doesNotContain("? %")
        .doesNotContain("0/? MiB")
        .doesNotContainPattern(BARE_FRACTION);
  }

  @Test
  void withoutATerminalTheCaptureIsLogged() throws Exception {
    Path cfg = config();
    redis.sync().configSet("rdb-key-save-delay", "100");
    RedisOpsProcess.Result r =
        RedisOpsProcess.run("-c", cfg.toString(), "-v", "backup", "--method", "bgsave");
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.stderr())
        .as(r.describe())
        .contains("while the server's child")
        .containsPattern("capture ds/\\S+: started")
        .containsPattern("capture ds/\\S+: finished, [0-9.]+ (KiB|MiB), [0-9.]+ (B|KiB|MiB)/s")
        .doesNotContain("\r");
  }

  private record Tty(int exit, String output) {}

  /**
   * Runs the jar inside {@code script}: stdin, stdout and stderr are a pseudo-terminal; returns
   * what it showed.
   */
  private Tty onTerminal(String... args) throws Exception {
    StringBuilder cmd = new StringBuilder();
    for (String a :
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:+UseSerialGC",
            "-jar",
            RedisOpsProcess.jar().toString())) {
      cmd.append(quote(a)).append(' ');
    }
    for (String a : args) {
      cmd.append(quote(a)).append(' ');
    }
    Path out = Files.createTempFile(tmp, "tty-", ".out");
    ProcessBuilder pb =
        new ProcessBuilder(SCRIPT.toString(), "-qefc", cmd.toString(), "/dev/null")
            .redirectOutput(out.toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("REDIS_OPS_"));
    Process p = pb.start();
    try {
      assertThat(p.waitFor(3, TimeUnit.MINUTES))
          .as("redis-ops %s ended", String.join(" ", args))
          .isTrue();
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    return new Tty(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
