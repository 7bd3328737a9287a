package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.KeyspaceDump;
import io.redisops.testkit.ProcessRegistry;
import io.redisops.testkit.RedisGroupExtension;
import io.redisops.testkit.RedisSentinel;
import io.redisops.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restore --yes --json} of the master of a real Sentinel group (down-after 1 s) whose
 * configured start command waits 4 s (a slow service start): the master is down for more than 3 x
 * down-after, no failover happens, the replicas end with the restored data, and the sentinels'
 * settings and the replicas' priorities are as before.
 */
class SentinelRestoreCliIT {
  @RegisterExtension
  static final RedisGroupExtension group =
      RedisGroupExtension.builder()
          .replicas(2)
          .sentinels(3)
          .downAfter(Duration.ofSeconds(1))
          .build();

  @TempDir Path tmp;

  @AfterAll
  static void stopRestoredMaster() {
    ProcessRegistry.stopByPidFile(pidfile());
  }

  private static Path pidfile() {
    return group.master().dir().resolve("restored.pid");
  }

  private Path config() throws Exception {
    RedisServer m = group.master();
    String nodes =
        group.sentinels().stream()
            .map(s -> "\"" + s.host() + ":" + s.port() + "\"")
            .collect(Collectors.joining(", "));
    return Files.writeString(
        tmp.resolve("redis-ops.yaml"),
        String.join(
            "\n",
            "datasets:",
            "  - redis:",
            "      uri: " + m.uri(),
            "      start-command: [\"sh\", \"-c\", \"sleep 4; exec redis-server "
                + m.configFile()
                + " --daemonize yes --pidfile "
                + pidfile()
                + "\"]",
            "    sentinel:",
            "      master: mymaster",
            "      nodes: [" + nodes + "]",
            // the backup comes from the master itself: a replica may not hold the last writes yet
            "      backup-from: master",
            "repository:",
            "  path: " + tmp.resolve("repo"),
            ""));
  }

  private static Map<String, String> settings() {
    Map<String, String> out = new TreeMap<>();
    for (RedisSentinel s : group.sentinels()) {
      Map<String, String> m = s.sync().master(group.masterName());
      for (String k : List.of("ip", "port", "quorum", "config-epoch", "down-after-milliseconds")) {
        out.put(s.port() + " " + k, m.get(k));
      }
    }
    for (RedisServer r : group.replicas()) {
      out.put(r.port() + " replica-priority", r.sync().configGet("replica-priority").toString());
    }
    return out;
  }

  @Test
  void aSlowRestoreOfTheMasterIsNotUndoneByAFailover() throws Exception {
    RedisServer m = group.master();
    DataFixture.fill(m.sync(), 1);
    Map<Integer, Map<String, KeyspaceDump.KeyState>> backedUp = KeyspaceDump.of(m.sync());
    Path cfg = config();
    assertThat(RedisOpsProcess.run("-c", cfg.toString(), "backup").exitCode()).isZero();
    m.sync().flushall();
    m.sync().set("written:after", "the backup");
    Map<String, String> before = settings();

    RedisOpsProcess.Result r =
        RedisOpsProcess.run("-c", cfg.toString(), "--json", "restore", "--latest", "--yes");
    ProcessHandle.of(Long.parseLong(Files.readString(pidfile()).strip()))
        .ifPresent(ProcessRegistry::register);

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    JsonNode report = new ObjectMapper().readTree(r.stdout());
    List<String> steps = report.get("steps").findValuesAsText("name");
    assertThat(steps)
        .containsSubsequence("hold-off", "stop", "start", "verify", "replicas", "release");
    long stopEnd =
        java.time.Instant.parse(stepAt(report, "stop")).toEpochMilli() + took(report, "stop");
    long startEnd =
        java.time.Instant.parse(stepAt(report, "start")).toEpochMilli() + took(report, "start");
    assertThat(startEnd - stopEnd).as("ms the master was down").isGreaterThan(3000);
    assertThat(r.stderr()).doesNotContain("+switch-master");
    assertThat(group.currentMaster()).isSameAs(m);
    assertThat(dump(m)).isEqualTo(backedUp);
    for (RedisServer replica : group.replicas()) {
      assertThat(dump(replica)).as(replica.toString()).isEqualTo(backedUp);
    }
    assertThat(settings()).isEqualTo(before);
  }

  /** The data of whatever answers on the server's port now (the master was restarted). */
  private static Map<Integer, Map<String, KeyspaceDump.KeyState>> dump(RedisServer s) {
    RedisClient client = RedisClient.create(s.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return KeyspaceDump.of(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static String stepAt(JsonNode report, String name) {
    for (JsonNode s : report.get("steps")) {
      if (s.get("name").asText().equals(name)) {
        return s.get("started_at").asText();
      }
    }
    throw new AssertionError("no step " + name + " in " + report);
  }

  private static long took(JsonNode report, String name) {
    for (JsonNode s : report.get("steps")) {
      if (s.get("name").asText().equals(name)) {
        return s.get("took_ms").asLong();
      }
    }
    throw new AssertionError("no step " + name + " in " + report);
  }
}
