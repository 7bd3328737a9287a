package io.redisops.recovery.restore;

import static io.redisops.recovery.restore.RestoreSupport.adopt;
import static io.redisops.recovery.restore.RestoreSupport.context;
import static io.redisops.recovery.restore.RestoreSupport.server;
import static io.redisops.recovery.restore.RestoreSupport.service;
import static io.redisops.recovery.restore.RestoreSupport.stopRestarted;
import static io.redisops.recovery.restore.RestoreSupport.target;
import static io.redisops.recovery.restore.RestoreSupport.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.api.sync.RedisCommands;
import io.redisops.backup.archive.ArchiveStore;
import io.redisops.backup.archive.Archiver;
import io.redisops.backup.archive.ArchiverStatus;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.fixtures.TestArchivers;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.BackupRequest;
import io.redisops.backup.service.BackupService;
import io.redisops.backup.snapshot.BgsaveSnapshotSource;
import io.redisops.backup.snapshot.ReplicationSnapshotSource;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.recovery.kernel.ServiceCommands;
import io.redisops.redis.RedisEndpoint;
import io.redisops.storage.LocalRepository;
import io.redisops.testkit.Await;
import io.redisops.testkit.RedisServer;
import io.redisops.testkit.RedisServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's scenario against real servers: a writer records each write's time in its value ({@code
 * SET w:<n> <epoch millis>}), the real {@link Archiver} archives the replication stream into the
 * repository, a base is taken by bgsave or by replication, writes go on into the next second
 * (acknowledged by {@code WAIT}: the archiver acknowledges only what it sealed), then a FLUSHALL;
 * {@code restore --at} the second before brings back exactly the writes of that second and before,
 * and none after. One master for the class; each test restores into a fresh target (AOF off with
 * the bgsave base, AOF on with the replication base).
 */
class PointInTimeRestoreIT {
  @RegisterExtension
  static final RedisServerExtension master =
      RedisServerExtension.builder()
          .config("repl-diskless-sync-delay", "0")
          .config("repl-ping-replica-period", "1")
          .build();

  @TempDir Path tmp;

  final List<RedisServer> servers = new ArrayList<>();
  final List<String> report = Collections.synchronizedList(new ArrayList<>());
  final RestoreListener listener =
      new RestoreListener() {
        @Override
        public void stepFinished(
            int n, int total, RestoreStep step, Duration took, String outcome) {
          report.add("done " + step.name() + ": " + outcome);
        }

        @Override
        public void notice(String message) {
          report.add(message);
        }
      };
  int next;
  private Archiver archiver;
  private Thread thread;

  @AfterEach
  void stopEverything() throws InterruptedException {
    stopArchiver();
    for (RedisServer s : servers) {
      stopRestarted(s);
      s.close();
    }
  }

  @Test
  void bgsaveBaseIntoAnAofOffTarget() throws Exception {
    scenario(SnapshotMethod.BGSAVE, false);
  }

  @Test
  void replicationBaseIntoAnAofOnTarget() throws Exception {
    scenario(SnapshotMethod.REPLICATION, true);
  }

  private void scenario(SnapshotMethod method, boolean aof) throws Exception {
    RedisCommands<String, String> w = master.sync();
    w.flushall();
    BackupContext c = context(tmp.resolve("repo"));
    Map<String, String> expected = new TreeMap<>();
    Instant flushedAt;
    long boundary;
    ArchiveStore store = startArchiver(c);
    {
      write(w, 20, expected);
      Manifest base = backup(c, method);
      assertThat(base.stream()).as("the base's stream position").isNotNull();
      assertThat(base.stream().replid()).isEqualTo(archiver.status().replid());
      // writes into at least one more second, the last one acknowledged by the archiver
      long start = Instant.now().getEpochSecond();
      while (Instant.now().getEpochSecond() <= start) {
        write(w, 5, expected);
      }
      write(w, 5, expected);
      assertThat(w.waitForReplication(1, 5000)).isEqualTo(1L);
      boundary = Instant.now().getEpochSecond(); // every write so far was received by now
      Await.until(
          Duration.ofSeconds(3),
          "the next second",
          () -> Instant.now().getEpochSecond() > boundary);
      write(w, 10, new TreeMap<>()); // after the instant: must not come back
      w.flushall();
      flushedAt = Instant.now();
      w.set("after:flush", "1");
      assertThat(w.waitForReplication(1, 5000)).isEqualTo(1L);
      stopArchiver(); // seals the last segment after the flush

      RedisServer target =
          start(server(tmp.resolve("target")).config("appendonly", aof ? "yes" : "no"));
      target.sync().set("replaced", "by the restore");
      String configBefore = Files.readString(target.configFile());
      // "--at HH:MM:SS" of the boundary second: the whole second, its writes included
      Instant at = Instant.ofEpochSecond(boundary + 1).minusNanos(1);
      RestoreService service = service(c).withArchives(ArchiveSources.of("local", store));

      RestorePlan plan =
          service.plan(target(target, ServiceCommands.defaults()), Selection.at(at), listener);
      assertThat(plan.pointInTime()).isNotNull();
      assertThat(plan.pointInTime().lastCommand()).isEqualTo("SET w:" + (expected.size() - 1));
      // received in the boundary second or before it (WAIT returned in that second)
      assertThat(plan.pointInTime().lastCommandTime())
          .isBeforeOrEqualTo(Instant.ofEpochSecond(boundary))
          .isAfter(Instant.ofEpochSecond(boundary - 5));
      assertThat(plan.describe()).anyMatch(l -> l.contains("archive:"));

      RestoreReport r =
          service
              .restore(
                  target(target, ServiceCommands.defaults()), Selection.at(at), p -> true, listener)
              .orElseThrow();
      adopt(target);

      Map<String, String> restored = new TreeMap<>();
      with(
          target,
          t -> {
            for (String k : t.keys("*")) {
              restored.put(k, t.get(k));
            }
            return null;
          });
      assertThat(restored).isEqualTo(expected);
      assertThat(r.backupId()).isEqualTo(base.id());
      assertThat(r.pointInTime().commands()).isGreaterThanOrEqualTo(expected.size() - 20L);
      assertThat(r.steps())
          .extracting(RestoreReport.StepRecord::name)
          .containsExactlyElementsOf(
              aof
                  ? List.of(
                      "fetch",
                      "archive",
                      "stop",
                      "quarantine",
                      "place",
                      "start",
                      "check-load",
                      "aof-rewrite",
                      "verify")
                  : List.of(
                      "fetch",
                      "archive",
                      "stop",
                      "quarantine",
                      "aof-on",
                      "place",
                      "start",
                      "check-load",
                      "save",
                      "aof-config",
                      "verify"));
      assertThat(report)
          .anyMatch(l -> l.startsWith("done archive:") && l.contains("redis-check-aof: valid"));
      assertThat(Files.readString(target.configFile())).isEqualTo(configBefore);
      assertThat(Files.exists(target.dir().resolve("appendonlydir"))).isEqualTo(aof);
      String persistence = with(target, t -> t.info("persistence"));
      assertThat(persistence).contains("aof_enabled:" + (aof ? "1" : "0"));
      assertThat(flushedAt).isAfter(at);
    }
  }

  @Test
  void aRestoreFromTheArchiveThatDiesIsRolledBackOrResumed() throws Exception {
    RedisCommands<String, String> w = master.sync();
    w.flushall();
    BackupContext c = context(tmp.resolve("repo"));
    Map<String, String> expected = new TreeMap<>();
    ArchiveStore store = startArchiver(c);
    write(w, 5, expected);
    backup(c, SnapshotMethod.BGSAVE);
    write(w, 5, expected);
    assertThat(w.waitForReplication(1, 5000)).isEqualTo(1L);
    long boundary = Instant.now().getEpochSecond();
    Await.until(
        Duration.ofSeconds(3), "the next second", () -> Instant.now().getEpochSecond() > boundary);
    write(w, 3, new TreeMap<>());
    assertThat(w.waitForReplication(1, 5000)).isEqualTo(1L);
    stopArchiver();

    RedisServer target = start(server(tmp.resolve("target")));
    target.sync().set("original", "1");
    target.sync().save(); // on disk, as the rollback loads it
    String configBefore = Files.readString(target.configFile());
    RestoreService.Target t = target(target, ServiceCommands.defaults());
    Instant at = Instant.ofEpochSecond(boundary + 1).minusNanos(1);
    RestoreService s = service(c).withArchives(ArchiveSources.of("local", store));

    assertThatThrownBy(() -> s.restore(t, Selection.at(at), p -> true, dyingAt("start")))
        .hasMessageContaining("died");
    RestoreState saved = s.interrupted("ds").orElseThrow();
    assertThat(saved.pointInTime()).isNotNull();
    assertThat(saved.done())
        .containsExactly("fetch", "archive", "stop", "quarantine", "aof-on", "place");
    String summary = s.rollback(t, lines -> true, RestoreListener.NONE);
    adopt(target);
    assertThat(summary).contains("serves the original data again");
    assertThat(keys(target)).isEqualTo(Map.of("original", "1"));
    assertThat(Files.readString(target.configFile())).isEqualTo(configBefore);

    assertThatThrownBy(() -> s.restore(t, Selection.at(at), p -> true, dyingAt("check-load")))
        .hasMessageContaining("died");
    RestoreReport r = s.resume(t, lines -> true, RestoreListener.NONE);
    adopt(target);
    assertThat(r.steps())
        .extracting(RestoreReport.StepRecord::name)
        .containsExactly("check-load", "save", "aof-config", "verify");
    assertThat(keys(target)).isEqualTo(expected);
    assertThat(Files.readString(target.configFile())).isEqualTo(configBefore);
  }

  private static RestoreListener dyingAt(String step) {
    return new RestoreListener() {
      @Override
      public void stepStarted(int number, int total, RestoreStep s, Instant at) {
        if (s.name().equals(step)) {
          throw new IllegalStateException("the process died as step '" + step + "' started");
        }
      }
    };
  }

  private static Map<String, String> keys(RedisServer s) {
    Map<String, String> out = new TreeMap<>();
    with(
        s,
        t -> {
          for (String k : t.keys("*")) {
            out.put(k, t.get(k));
          }
          return null;
        });
    return out;
  }

  @Test
  void aDamagedSegmentIsRefusedBeforeAnythingChanges() throws Exception {
    RedisCommands<String, String> w = master.sync();
    BackupContext c = context(tmp.resolve("repo"));
    ArchiveStore store = startArchiver(c);
    Manifest base;
    long sealed;
    {
      base = backup(c, SnapshotMethod.BGSAVE);
      long second = Instant.now().getEpochSecond();
      Await.until(
          Duration.ofSeconds(3), "the next second", () -> Instant.now().getEpochSecond() > second);
      write(w, 5, new TreeMap<>());
      assertThat(w.waitForReplication(1, 5000)).isEqualTo(1L);
      sealed = Instant.now().getEpochSecond();
      Await.until(
          Duration.ofSeconds(3), "the next second", () -> Instant.now().getEpochSecond() > sealed);
      stopArchiver();
    }
    // flip one byte in the middle of every segment's content (stored uncompressed here)
    List<Path> contents;
    try (var files =
        Files.walk(((LocalRepository) c.repository()).root().resolve(ArchiveStore.ROOT))) {
      contents = files.filter(f -> f.toString().endsWith(".aof")).toList();
    }
    assertThat(contents).isNotEmpty();
    for (Path f : contents) {
      byte[] b = Files.readAllBytes(f);
      b[b.length / 2] ^= 1;
      Files.write(f, b);
    }
    RedisServer target = start(server(tmp.resolve("target")));
    target.sync().set("kept", "1");
    RestoreService service = service(c).withArchives(ArchiveSources.of("local", store));
    Instant at = Instant.ofEpochSecond(sealed + 1).minusNanos(1); // the archive covers it
    assertThatThrownBy(
            () ->
                service.restore(
                    target(target, ServiceCommands.defaults()),
                    Selection.at(at),
                    p -> true,
                    listener))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.INTEGRITY);
              assertThat(e.getMessage()).contains("is damaged").contains("SHA-256");
            });
    assertThat(target.sync().get("kept")).isEqualTo("1");
    assertThat(base.stream()).isNotNull();

    // an instant the archive does not reach: the snapshot alone, said aloud
    RestoreService far = service(c).withArchives(ArchiveSources.of("local", store));
    RestorePlan plan =
        far.plan(
            target(target, ServiceCommands.defaults()),
            Selection.at(
                io.redisops.recovery.pitr.ArchiveSelection.sealedUntil(store.segments("ds"))
                    .plusSeconds(2)),
            listener);
    assertThat(plan.pointInTime()).isNull();
    assertThat(plan.archiveFallback()).contains("sealed up to");
    assertThat(report).anyMatch(l -> l.startsWith("the archive does not cover"));
  }

  /**
   * The real archiver on the master, into the backups' repository (content uncompressed, so that a
   * test can damage it), once it streams.
   */
  private ArchiveStore startArchiver(BackupContext c) {
    ArchiveStore store = new ArchiveStore(c.repository(), Compression.NONE);
    BackupService service = BackupService.standard(c);
    RedisEndpoint ep = RedisEndpoint.parse(master.server().uri());
    archiver = TestArchivers.of("ds", () -> ep, store, c, service);
    thread = new Thread(archiver, "archiver");
    thread.start();
    Await.until(
        Duration.ofSeconds(30),
        "the archiver streaming",
        () -> archiver.status().state() == ArchiverStatus.State.STREAMING);
    return store;
  }

  private void stopArchiver() throws InterruptedException {
    if (archiver != null) {
      archiver.stop();
      thread.join(30_000);
      assertThat(thread.isAlive()).as("archiver stopped").isFalse();
      archiver = null;
    }
  }

  private RedisServer start(RedisServer.Builder b) {
    RedisServer s = b.build();
    servers.add(s);
    s.start();
    return s;
  }

  private void write(RedisCommands<String, String> w, int n, Map<String, String> record) {
    for (int i = 0; i < n; i++) {
      String k = "w:" + next++;
      String v = Long.toString(System.currentTimeMillis());
      w.set(k, v);
      record.put(k, v);
    }
  }

  private Manifest backup(BackupContext c, SnapshotMethod method) {
    BackupService service =
        new BackupService(
            c,
            new BgsaveSnapshotSource(c.clock(), Duration.ofMinutes(2)),
            new ReplicationSnapshotSource(
                c.clock(), Duration.ofSeconds(5), Duration.ofSeconds(30)));
    return service
        .backup(
            new BackupRequest(
                "ds", RedisEndpoint.parse(master.server().uri()), Set.of(Tier.MANUAL), method),
            ProgressListener.NONE)
        .manifest();
  }
}
