package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.api.sync.RedisCommands;
import io.redisops.backup.archive.ArchiveStore;
import io.redisops.backup.archive.Archiver;
import io.redisops.backup.archive.ArchiverStatus;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.fixtures.TestArchivers;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.BackupRequest;
import io.redisops.backup.service.BackupService;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.progress.ProgressListener;
import io.redisops.redis.RedisEndpoint;
import io.redisops.storage.LocalRepository;
import io.redisops.testkit.Await;
import io.redisops.testkit.ProcessRegistry;
import io.redisops.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code redis-ops restore --at} with the point-in-time archive, as a separate process (the real
 * jar): the dry run's JSON names the base, the segments and the last command; the restore brings
 * the dataset's own Redis back to the instant before a FLUSHALL; an instant the archive does not
 * reach falls back to the snapshot and says so on stderr and in the JSON.
 */
class PointInTimeRestoreCliIT {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  record Run(int exit, String out, String err) {}

  @Test
  void restoreAtAnInstantFromTheArchive() throws Exception {
    Path dir = tmp.resolve("redis");
    try (RedisServer redis =
        RedisServer.builder()
            .dir(dir)
            .config("pidfile", "\"" + dir.resolve("redis.pid") + "\"")
            .config("repl-diskless-sync-delay", "0")
            .start()) {
      try {
        scenario(redis);
      } finally {
        ProcessRegistry.stopByPidFile(dir.resolve("redis.pid"));
      }
    }
  }

  private void scenario(RedisServer redis) throws Exception {
    LocalRepository repo = new LocalRepository(tmp.resolve("repo"));
    BackupContext c = TestBackupContext.of(repo).build();
    BackupService service = BackupService.standard(c);
    RedisEndpoint ep = RedisEndpoint.parse(redis.uri());
    ArchiveStore store = new ArchiveStore(repo, c.compression());
    Archiver archiver = TestArchivers.of("ds", () -> ep, store, c, service);
    Thread thread = new Thread(archiver, "archiver");
    thread.start();
    Map<String, String> expected = new TreeMap<>();
    long boundary;
    try {
      Await.until(
          Duration.ofSeconds(30),
          "the archiver streaming",
          () -> archiver.status().state() == ArchiverStatus.State.STREAMING);
      RedisCommands<String, String> w = redis.sync();
      int n = 0;
      for (; n < 10; n++) {
        expected.put("w:" + n, Long.toString(System.currentTimeMillis()));
        w.set("w:" + n, expected.get("w:" + n));
      }
      Manifest base =
          service
              .backup(
                  new BackupRequest("ds", ep, Set.of(Tier.MANUAL), SnapshotMethod.BGSAVE),
                  ProgressListener.NONE)
              .manifest();
      for (; n < 20; n++) {
        expected.put("w:" + n, Long.toString(System.currentTimeMillis()));
        w.set("w:" + n, expected.get("w:" + n));
      }
      assertThat(w.waitForReplication(1, 5000)).isEqualTo(1L); // sealed by the archiver
      boundary = Instant.now().getEpochSecond();
      Await.until(
          Duration.ofSeconds(3),
          "the next second",
          () -> Instant.now().getEpochSecond() > boundary);
      w.set("w:" + n, "after the instant");
      w.flushall();
      assertThat(w.waitForReplication(1, 5000)).isEqualTo(1L);
      assertThat(base.stream()).isNotNull();
    } finally {
      archiver.stop();
      thread.join(30_000);
    }
    Path config = tmp.resolve("c.yaml");
    Files.writeString(
        config,
        "datasets:\n  - name: ds\n    redis:\n      uri: "
            + redis.uri()
            + "\nrepository:\n  path: "
            + repo.root()
            + "\n");
    String at = Instant.ofEpochSecond(boundary).toString(); // to the second: its writes included

    Run dry = run(config, "--json", "restore", "--at", at, "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    JsonNode plan = JSON.readTree(dry.out());
    JsonNode pit = plan.path("point_in_time");
    assertThat(pit.path("last_command").asText()).isEqualTo("SET w:19");
    // received during the boundary second or just before it (WAIT returned in that second)
    assertThat(Instant.parse(pit.path("last_command_time").asText()))
        .isBeforeOrEqualTo(Instant.parse(at))
        .isAfter(Instant.parse(at).minusSeconds(5));
    assertThat(pit.path("segments_read").asInt()).isPositive();
    assertThat(pit.path("first_segment").asText()).isNotEmpty();
    assertThat(plan.path("archive_fallback").isNull()).isTrue();
    assertThat(plan.path("steps").toString()).contains("\"archive\"").contains("\"check-load\"");

    Run restore = run(config, "--json", "restore", "--at", at, "--yes");
    assertThat(restore.exit()).as(restore.err()).isZero();
    assertThat(JSON.readTree(restore.out()).path("point_in_time").path("commands").asLong())
        .isEqualTo(10);
    ProcessHandle.of(Long.parseLong(Files.readString(redis.dir().resolve("redis.pid")).strip()))
        .ifPresent(ProcessRegistry::register);
    Map<String, String> restored = new TreeMap<>();
    try (var client = io.lettuce.core.RedisClient.create(redis.uri()).connect()) {
      for (String k : client.sync().keys("*")) {
        restored.put(k, client.sync().get(k));
      }
    }
    assertThat(restored).isEqualTo(expected);

    // past the archive's end: the snapshot alone, said on stderr and in the JSON
    Instant sealed =
        store.segments("ds").stream().map(s -> s.sealedAt()).max(Instant::compareTo).orElseThrow();
    Await.until(
        Duration.ofSeconds(5),
        "two seconds after the last seal",
        () -> Instant.now().isAfter(sealed.plusSeconds(2)));
    Run past = run(config, "--json", "restore", "--at", "-1s", "--dry-run");
    assertThat(past.exit()).as(past.err()).isZero();
    assertThat(past.err()).contains("the archive does not cover");
    assertThat(JSON.readTree(past.out()).path("archive_fallback").asText())
        .contains("sealed up to");
    assertThat(JSON.readTree(past.out()).path("point_in_time").isNull()).isTrue();
  }

  private static Run run(Path config, String... args) {
    List<String> all = new ArrayList<>(List.of("-c", config.toString()));
    all.addAll(List.of(args));
    RedisOpsProcess.Result r = RedisOpsProcess.run(all.toArray(String[]::new));
    return new Run(r.exitCode(), r.stdout(), r.stderr());
  }
}
