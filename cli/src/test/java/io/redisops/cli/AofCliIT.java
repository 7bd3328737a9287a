package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redisops.testkit.ProcessRegistry;
import io.redisops.testkit.RedisServerExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code redis-ops aof ...} as an operator runs it: the packaged jar as a separate process with no
 * terminal (stdin from /dev/null), against a real redis-server, checking exit codes, the single
 * JSON document and the refusal to act without a terminal and without --yes.
 */
class AofCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  final RedisServerExtension redis =
      RedisServerExtension.builder()
          .config("appendonly", "yes")
          .config("appendfsync", "always")
          .config("aof-timestamp-enabled", "yes")
          .config("aof-load-truncated", "no")
          .config("auto-aof-rewrite-percentage", "0")
          .build();

  @AfterEach
  void stopWhatRedisOpsStarted() throws IOException {
    // redis-ops starts Redis again as a daemon with its pid file next to the data: stop that
    // process by its pid.
    ProcessRegistry.stopByPidFile(redis.dir().resolve("redis-ops-" + redis.port() + ".pid"));
  }

  record Run(int exit, String out, String err) {
    JsonNode json() throws IOException {
      return JSON.readTree(out);
    }
  }

  /**
   * The packaged jar as a separate process (see {@link RedisOpsProcess}: clean environment,
   * deadline, stdin /dev/null).
   */
  private Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of("--redis", redis.uri()));
    all.addAll(List.of(args));
    RedisOpsProcess.Result r = RedisOpsProcess.run(all.toArray(String[]::new));
    return new Run(r.exitCode(), r.stdout(), r.stderr());
  }

  private Path lastIncr() throws IOException {
    try (Stream<Path> files = Files.list(redis.dir().resolve("appendonlydir"))) {
      return files
          .filter(p -> p.toString().endsWith(".incr.aof"))
          .sorted()
          .reduce((a, b) -> b)
          .orElseThrow();
    }
  }

  @Test
  void checkSaysValidWithExitZeroAndOneJsonDocument() throws Exception {
    redis.sync().set("a", "1");
    Run r = cli("--json", "aof", "check");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.json().get("valid").asBoolean()).isTrue();
    assertThat(r.json().get("files")).hasSize(2);
  }

  @Test
  void aTornTailIsCheckedAsDamagedRefusedWithoutTerminalAndRepairedWithYes() throws Exception {
    for (int i = 1; i <= 5; i++) {
      redis.sync().set("k" + i, "v" + i);
    }
    redis.server().kill9();
    Path incr = lastIncr();
    Files.writeString(incr, "*3\r\n$3\r\nset\r\n$2\r\nk6", StandardOpenOption.APPEND);
    byte[] damaged = Files.readAllBytes(incr);
    String dir = redis.dir().toString();

    Run check = cli("aof", "check", "--dir", dir);
    assertThat(check.exit()).as(check.err()).isEqualTo(3);
    assertThat(check.out()).contains("DAMAGED").contains("1 command) after it");
    assertThat(check.err().strip())
        .startsWith("redis-ops: ")
        .doesNotContain("\n")
        .contains("is damaged");
    // under --json the report is the one document, with the failure's exit code
    Run checkJson = cli("--json", "aof", "check", "--dir", dir);
    assertThat(checkJson.exit()).as(checkJson.err()).isEqualTo(3);
    assertThat(RepoTree.jsonDocuments(checkJson.out())).as(checkJson.out()).isEqualTo(1);
    assertThat(checkJson.json().get("valid").asBoolean()).isFalse();

    Run noTerminal = cli("aof", "repair", "--dir", dir);
    assertThat(noTerminal.exit()).as(noTerminal.err()).isEqualTo(5);
    assertThat(noTerminal.out()).contains("Plan (repair)").contains("redis-check-aof --fix");
    assertThat(noTerminal.err()).contains("no terminal").contains("--yes");
    assertThat(Files.readAllBytes(incr)).isEqualTo(damaged);

    Run dry = cli("aof", "repair", "--dir", dir, "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("dry run: nothing was changed");
    assertThat(Files.readAllBytes(incr)).isEqualTo(damaged);

    Run repair = cli("--json", "aof", "repair", "--dir", dir, "--yes");
    assertThat(repair.exit()).as(repair.err()).isZero();
    JsonNode doc = repair.json();
    assertThat(doc.get("done").asBoolean()).isTrue();
    assertThat(doc.get("removed_commands").asLong()).isEqualTo(1);
    assertThat(doc.get("valid_after").asBoolean()).isTrue();
    Path quarantined =
        Path.of(doc.get("quarantine").asText())
            .resolve("appendonlydir")
            .resolve(incr.getFileName());
    assertThat(Files.readAllBytes(quarantined)).isEqualTo(damaged);

    redis.server().start();
    assertThat(redis.sync().dbsize()).isEqualTo(5);
  }

  /**
   * {@code aof repair --stop} on a dataset with {@code stop-command} and {@code start-command}
   * stops and starts Redis with them, as restore does (a Redis under systemd must not be stopped
   * behind the unit's back): the commands leave a marker and stop / start the real server by its
   * pid; it comes back with the repaired data.
   */
  @Test
  void repairWithStopUsesTheConfiguredStopAndStartCommandsAsRestoreDoes(@TempDir Path tmp)
      throws Exception {
    for (int i = 1; i <= 10; i++) {
      redis.sync().set("k" + i, "v" + i);
    }
    long pid = redis.pid();
    String program =
        redis
            .sync()
            .info("server")
            .lines()
            .filter(l -> l.startsWith("executable:"))
            .findFirst()
            .orElseThrow()
            .substring("executable:".length())
            .strip(); // the same server program again
    Files.writeString(
        lastIncr(), "*3\r\n$3\r\nset\r\n$3\r\nk11\r\n$5\r\nval", StandardOpenOption.APPEND);
    Path stopped = tmp.resolve("stop-command-ran");
    Path started = tmp.resolve("start-command-ran");
    Path pidfile = tmp.resolve("started.pid");
    Path cfg = tmp.resolve("redis-ops.yaml");
    Files.writeString(
        cfg,
        "datasets:\n  - name: ds\n    redis:\n      uri: "
            + redis.uri()
            + "\n"
            + "      stop-command: [sh, -c, 'echo stop >> "
            + stopped
            + " && kill "
            + pid
            + "']\n"
            + "      start-command: [sh, -c, 'echo start >> "
            + started
            + " && exec "
            + program
            + " "
            + redis.configFile()
            + " --daemonize yes --pidfile "
            + pidfile
            + "']\n");
    try {
      RedisOpsProcess.Result r =
          RedisOpsProcess.run("-c", cfg.toString(), "aof", "repair", "--stop", "--yes");
      assertThat(r.exitCode()).as(r.stderr()).isZero();
      assertThat(r.stdout())
          .contains("(configured stop-command)")
          .contains("(configured start-command)")
          .doesNotContain("SHUTDOWN NOSAVE");
      assertThat(stopped).hasContent("stop");
      assertThat(started).hasContent("start");
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      long newPid = Long.parseLong(Files.readString(pidfile).strip());
      assertThat(newPid).isNotEqualTo(pid);
      assertThat(r.stdout()).contains("Redis is running again (pid " + newPid + ")");
      io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
      try (var c = client.connect()) {
        assertThat(c.sync().dbsize()).isEqualTo(10);
        assertThat(c.sync().get("k10")).isEqualTo("v10");
        assertThat(c.sync().exists("k11")).isZero(); // the torn command was cut
      } finally {
        client.shutdown();
      }
    } finally {
      ProcessRegistry.stopByPidFile(pidfile);
    }
  }

  @Test
  void moreThanATornCommandIsRefusedWithExitFiveAndADamagedBaseWithExitThree() throws Exception {
    for (int i = 1; i <= 10; i++) {
      redis.sync().set("k" + i, "v" + i);
    }
    redis.server().kill9();
    Path incr = lastIncr();
    byte[] bytes = Files.readAllBytes(incr);
    // Damage a command header a third of the way in (a byte inside a value could still be valid
    // RESP).
    int at = commandStartAfter(bytes, bytes.length / 3);
    bytes[at] = 'X';
    Files.write(incr, bytes);
    Run r = cli("aof", "repair", "--dir", redis.dir().toString(), "--yes");
    assertThat(r.exit()).as(r.err()).isEqualTo(5);
    assertThat(r.err()).contains("--force").contains("commands");

    Path base;
    try (Stream<Path> files = Files.list(redis.dir().resolve("appendonlydir"))) {
      base = files.filter(p -> p.toString().endsWith(".base.rdb")).findFirst().orElseThrow();
    }
    byte[] b = Files.readAllBytes(base);
    b[b.length - 3] ^= (byte) 0xff; // inside the CRC64 trailer
    Files.write(base, b);
    Run baseRun = cli("aof", "repair", "--dir", redis.dir().toString(), "--yes", "--force");
    assertThat(baseRun.exit()).as(baseRun.err()).isEqualTo(3);
    assertThat(baseRun.err()).contains("restore from a backup: redis-ops restore --latest");
  }

  @Test
  void undoFlushallRefusesWithoutTerminalThenBringsEveryKeyBackWithYes() throws Exception {
    for (int i = 1; i <= 20; i++) {
      redis.sync().set("k" + i, "v" + i);
    }
    long pid = redis.pid();
    redis.sync().flushall();

    Run noTerminal = cli("aof", "undo-flushall");
    assertThat(noTerminal.exit()).as(noTerminal.err()).isEqualTo(5);
    assertThat(noTerminal.out()).contains("ends with FLUSHALL");
    assertThat(redis.sync().ping()).isEqualTo("PONG"); // untouched: same server, still running
    assertThat(redis.pid()).isEqualTo(pid);

    Run undo = cli("--json", "aof", "undo-flushall", "--yes");
    assertThat(undo.exit()).as(undo.err()).isZero();
    JsonNode doc = undo.json();
    assertThat(doc.get("keys_before").asLong()).isZero();
    assertThat(doc.get("keys_after").asLong()).isEqualTo(20);
    assertThat(doc.get("removed").get(0).asText()).isEqualTo("FLUSHALL");
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(
            ProcessHandle.of(doc.get("started_pid").asLong())
                .map(ProcessHandle::isAlive)
                .orElse(false))
        .isTrue();
    assertThat(undo.err()).contains("==> stop Redis with SHUTDOWN NOSAVE");
    assertThat(undo.out().strip()).startsWith("{").endsWith("}"); // exactly one JSON document
    assertThat(new String(Files.readAllBytes(lastIncr()), StandardCharsets.UTF_8))
        .doesNotContainIgnoringCase("flushall");
  }

  /** The offset of the first {@code *} that starts a command at or after {@code from}. */
  private static int commandStartAfter(byte[] aof, int from) {
    for (int i = Math.max(from, 2); i < aof.length; i++) {
      if (aof[i] == '*' && aof[i - 1] == '\n' && aof[i - 2] == '\r') {
        return i;
      }
    }
    throw new IllegalStateException("no command starts after byte " + from);
  }
}
