package io.redisops.recovery.restore;

import static io.redisops.recovery.restore.RestoreSupport.adopt;
import static io.redisops.recovery.restore.RestoreSupport.backup;
import static io.redisops.recovery.restore.RestoreSupport.context;
import static io.redisops.recovery.restore.RestoreSupport.dump;
import static io.redisops.recovery.restore.RestoreSupport.pid;
import static io.redisops.recovery.restore.RestoreSupport.server;
import static io.redisops.recovery.restore.RestoreSupport.service;
import static io.redisops.recovery.restore.RestoreSupport.stopRestarted;
import static io.redisops.recovery.restore.RestoreSupport.target;
import static io.redisops.recovery.restore.RestoreSupport.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.fixtures.TestManifests;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.DatasetLock;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.recovery.kernel.Quarantine;
import io.redisops.recovery.kernel.ServiceCommands;
import io.redisops.testkit.Await;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.KeyspaceDump;
import io.redisops.testkit.RedisServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The safe restore sequence against real redis-server processes: exact data, AOF on and off, the
 * two pitfalls, a failure injected at each step ending with the original data served again, and the
 * refusals.
 */
class RestoreServiceIT {
  @TempDir Path tmp;

  final List<RedisServer> servers = new ArrayList<>();
  final List<String> report = Collections.synchronizedList(new ArrayList<>());

  final RestoreListener listener =
      new RestoreListener() {
        @Override
        public void stepStarted(int n, int total, RestoreStep step, Instant at) {
          report.add("start " + step.name());
        }

        @Override
        public void stepFinished(
            int n, int total, RestoreStep step, Duration took, String outcome) {
          report.add("done " + step.name() + ": " + outcome);
        }

        @Override
        public void stepFailed(int n, int total, RestoreStep step, Duration took, String reason) {
          report.add("FAILED " + step.name() + ": " + reason);
        }

        @Override
        public void notice(String message) {
          report.add(message);
        }
      };

  @AfterEach
  void stopEverything() {
    for (RedisServer s : servers) {
      stopRestarted(s);
      s.close();
    }
  }

  private RedisServer start(RedisServer.Builder b) {
    RedisServer s = b.build();
    servers.add(s);
    s.start();
    return s;
  }

  private static String info(RedisServer s, String section, String field) {
    return with(
        s,
        r ->
            r.info(section)
                .lines()
                .filter(l -> l.startsWith(field + ":"))
                .findFirst()
                .orElseThrow()
                .substring(field.length() + 1)
                .strip());
  }

  private static void writeOther(RedisServer s) {
    with(
        s,
        r -> {
          r.flushall();
          r.set("written:after", "the backup");
          r.hset("other:hash", "f", "v");
          return null;
        });
  }

  @Test
  void aofOffTargetWithPasswordAndNonDefaultNamesGetsExactlyTheBackup() throws Exception {
    RedisServer s =
        start(
            server(tmp.resolve("data dir"))
                .password("s3cret pw")
                .config("dbfilename", "\"snap-7.rdb\"")
                .config("appenddirname", "\"aof-7\""));
    DataFixture.fill(s.sync(), 1);
    BackupContext c = context(tmp.resolve("repo"));
    Manifest m = backup(c, s);
    Map<Integer, Map<String, KeyspaceDump.KeyState>> expected = dump(s);
    writeOther(s);
    long oldPid = s.pid();

    RestoreReport r =
        service(c)
            .restore(
                target(s, ServiceCommands.defaults()), Selection.byId(m.id()), p -> true, listener)
            .orElseThrow();
    adopt(s);

    assertThat(dump(s)).isEqualTo(expected); // types, values, PEXPIRETIME of every key in every db
    assertThat(pid(s)).isNotEqualTo(oldPid);
    assertThat(r.steps())
        .extracting(RestoreReport.StepRecord::name)
        .containsExactly("fetch", "stop", "quarantine", "place", "start", "check-keys", "verify");
    assertThat(Path.of(r.quarantine())).startsWith(s.dir()).isDirectory();
    assertThat(Path.of(r.quarantine()).resolve("snap-7.rdb")).isRegularFile();
    // The one quarantine layout of restore and the AOF tools: <data dir>/redis-ops-quarantine/<UTC
    // time>-restore
    assertThat(Path.of(r.quarantine()).getParent().getFileName()).hasToString(Quarantine.FOLDER);
    assertThat(Path.of(r.quarantine()).getFileName().toString()).matches("\\d{8}T\\d{6}Z-restore");
    assertThat(report).anyMatch(l -> l.contains("kept in " + r.quarantine()));
    assertThat(new RestoreStateStore(c.lockDir(), "ds").file()).doesNotExist();
    assertThat(info(s, "persistence", "aof_enabled")).isEqualTo("0");
  }

  /**
   * {@code repository.compression-level}: a backup compressed at another level than the default is
   * an ordinary zstd backup (same manifest fields, checked the same way) and restores the exact
   * keyspace.
   */
  @Test
  void aBackupAtANonDefaultCompressionLevelRestoresTheExactKeyspace() throws Exception {
    RedisServer s = start(server(tmp.resolve("lvl")));
    DataFixture.fill(s.sync(), 1);
    BackupContext c = TestBackupContext.local(tmp.resolve("repo-19")).compressionLevel(19).build();
    Manifest m = backup(c, s);
    Map<Integer, Map<String, KeyspaceDump.KeyState>> expected = dump(s);
    writeOther(s);

    assertThat(m.compression()).isEqualTo("zstd");
    assertThat(m.object()).isEqualTo("dump.rdb.zst");
    // the same RDB at the default level: what level 19 must beat
    java.io.ByteArrayOutputStream rdb = new java.io.ByteArrayOutputStream();
    try (InputStream in = Compression.ZSTD.decompress(c.catalog("ds").openObject(m))) {
      in.transferTo(rdb);
    }
    assertThat((long) rdb.size()).isEqualTo(m.rawSize());
    java.io.ByteArrayOutputStream atDefault = new java.io.ByteArrayOutputStream();
    try (java.io.OutputStream z = Compression.ZSTD.compress(atDefault)) {
      rdb.writeTo(z);
    }
    assertThat(m.storedSize()).isLessThan(atDefault.size());

    RestoreReport r =
        service(c)
            .restore(
                target(s, ServiceCommands.defaults()), Selection.byId(m.id()), p -> true, listener)
            .orElseThrow();
    adopt(s);
    assertThat(r.backupId()).isEqualTo(m.id());
    assertThat(dump(s)).isEqualTo(expected);
  }

  @Test
  void aofOnTargetEndsWithAofOnAndTheRestoredDataSurvivesARestart() throws Exception {
    RedisServer s =
        start(
            server(tmp.resolve("d"))
                .config("appendonly", "yes")
                .config("appenddirname", "\"aof-x\""));
    DataFixture.fill(s.sync(), 1);
    BackupContext c = context(tmp.resolve("repo"));
    Manifest m = backup(c, s);
    Map<Integer, Map<String, KeyspaceDump.KeyState>> expected = dump(s);
    writeOther(
        s); // newer data in the AOF: with AOF on, Redis would load this and ignore a copied RDB
    String configBefore = Files.readString(s.configFile());

    RestoreReport r =
        service(c)
            .restore(target(s, ServiceCommands.defaults()), Selection.latest(), p -> true, listener)
            .orElseThrow();
    adopt(s);

    assertThat(r.steps())
        .extracting(RestoreReport.StepRecord::name)
        .containsExactly(
            "fetch", "aof-base", "stop", "quarantine", "place", "start", "check-keys", "verify");
    assertThat(dump(s)).isEqualTo(expected);
    assertThat(info(s, "persistence", "aof_enabled")).isEqualTo("1");
    assertThat(Files.readString(s.configFile()))
        .isEqualTo(configBefore); // appendonly yes again, nothing else touched
    assertThat(s.dir().resolve("aof-x").resolve("appendonly.aof.manifest")).isRegularFile();
    assertThat(Path.of(r.quarantine()).resolve("aof-x")).isDirectory(); // the replaced AOF, kept
    assertThat(m.id()).isEqualTo(r.backupId());

    // A plain restart (SHUTDOWN, which writes): Redis now loads the new AOF, and it holds the
    // restored data.
    long pid = pid(s);
    with(
        s,
        x -> {
          try {
            x.shutdown(true);
          } catch (RuntimeException closed) {
            // the connection closes as the server exits
          }
          return null;
        });
    Await.until(
        Duration.ofSeconds(20),
        "restored Redis to exit",
        () -> ProcessHandle.of(pid).isEmpty() || !ProcessHandle.of(pid).get().isAlive());
    s.start();
    assertThat(KeyspaceDump.of(s.sync())).isEqualTo(expected);
  }

  @Test
  void thePitfallsAreRealAndTheRestoreAvoidsThem() throws Exception {
    RedisServer s = start(server(tmp.resolve("d")).config("appendonly", "yes"));
    DataFixture.fill(s.sync(), 1);
    BackupContext c = context(tmp.resolve("repo"));
    Manifest m = backup(c, s);
    Map<Integer, Map<String, KeyspaceDump.KeyState>> expected = dump(s);
    writeOther(s);
    Map<Integer, Map<String, KeyspaceDump.KeyState>> newer = dump(s);
    Path rdb = tmp.resolve("backup.rdb");
    try (InputStream in = Compression.ZSTD.decompress(c.catalog("ds").openObject(m))) {
      Files.copy(in, rdb);
    }
    // Pitfall 1, by hand: AOF on and the backup copied over dump.rdb: Redis loads the AOF and
    // ignores the RDB.
    s.stop();
    Files.copy(rdb, s.dir().resolve("dump.rdb"), StandardCopyOption.REPLACE_EXISTING);
    s.start();
    assertThat(KeyspaceDump.of(s.sync())).isEqualTo(newer).isNotEqualTo(expected);
    // Pitfall 2, by hand: AOF on, no AOF folder, the backup as dump.rdb: Redis 7 starts EMPTY.
    s.stop();
    Files.move(s.dir().resolve("appendonlydir"), tmp.resolve("aof-saved"));
    Files.copy(rdb, s.dir().resolve("dump.rdb"), StandardCopyOption.REPLACE_EXISTING);
    s.start();
    assertThat(s.sync().dbsize()).isZero();
    // Back to the state with the newer data in the AOF; the restore must give the backup, not the
    // AOF, not nothing.
    s.kill9();
    QuarantineStep.deleteTree(s.dir().resolve("appendonlydir"));
    Files.move(tmp.resolve("aof-saved"), s.dir().resolve("appendonlydir"));
    s.start();
    assertThat(KeyspaceDump.of(s.sync())).isEqualTo(newer);

    assertThat(
            service(c)
                .restore(
                    target(s, ServiceCommands.defaults()), Selection.latest(), p -> true, listener))
        .isPresent();
    adopt(s);
    assertThat(dump(s)).isEqualTo(expected);
    assertThat(info(s, "persistence", "aof_enabled")).isEqualTo("1");
  }

  @Test
  void aFailingStartCommandIsRolledBackToTheOriginalData() throws Exception {
    RedisServer s = start(server(tmp.resolve("d")).config("appendonly", "yes"));
    DataFixture.fill(s.sync(), 1);
    BackupContext c = context(tmp.resolve("repo"));
    backup(c, s);
    writeOther(s);
    Map<Integer, Map<String, KeyspaceDump.KeyState>> original = dump(s);
    String configBefore = Files.readString(s.configFile());
    // A start command that fails once (as a unit that is not ready would), then works: the rollback
    // needs it.
    Path flag = tmp.resolve("failed-once");
    ServiceCommands commands =
        new ServiceCommands(
            List.of(
                "sh",
                "-c",
                "if [ -e "
                    + flag
                    + " ]; then exec redis-server "
                    + s.configFile()
                    + " --daemonize yes; fi; touch "
                    + flag
                    + "; echo 'start refused' >&2; exit 7"),
            null);

    assertThatThrownBy(
            () -> service(c).restore(target(s, commands), Selection.latest(), p -> true, listener))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED);
              assertThat(e.getMessage())
                  .contains("failed at step 'start'")
                  .contains("exited with code 7")
                  .contains("start refused")
                  .contains("rolled back")
                  .contains("serves the original data again");
            });
    adopt(s);
    assertThat(dump(s)).isEqualTo(original);
    assertOriginalPlaceRestored(s, c, configBefore);
    assertThat(info(s, "persistence", "aof_enabled")).isEqualTo("1");
    assertThat(report)
        .contains(
            "FAILED start: 'sh -c "
                + commands.start().get(2)
                + "' exited with code 7: start refused");
  }

  @Test
  void aCorruptBackupIsRefusedAtVerificationAndRedisKeepsServing() throws Exception {
    RedisServer s = start(server(tmp.resolve("d")));
    DataFixture.fill(s.sync(), 1);
    BackupContext c = context(tmp.resolve("repo"));
    Manifest m = backup(c, s);
    writeOther(s);
    Map<Integer, Map<String, KeyspaceDump.KeyState>> original = dump(s);
    Path object = tmp.resolve("repo").resolve("ds").resolve(m.id()).resolve(m.object());
    byte[] bytes = Files.readAllBytes(object);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(object, bytes);
    long pid = s.pid();

    assertThatThrownBy(
            () ->
                service(c)
                    .restore(
                        target(s, ServiceCommands.defaults()),
                        Selection.latest(),
                        p -> true,
                        listener))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.INTEGRITY);
              assertThat(e.getMessage())
                  .contains("backup " + m.id() + " failed verification")
                  .contains("nothing was changed, Redis kept serving its data");
            });
    assertThat(pid(s)).isEqualTo(pid);
    assertThat(dump(s)).isEqualTo(original);
    assertThat(report).contains("start fetch").noneMatch(l -> l.startsWith("start stop"));
    try (Stream<Path> files = Files.list(s.dir())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(
              n -> n.startsWith(".redis-ops-restore") || n.startsWith("redis-ops-quarantine"));
    }
  }

  @Test
  void aServerKilledWhileLoadingIsRolledBackToTheOriginalData() throws Exception {
    // 150 ms per key while loading: the restored data (about 25 keys) loads for seconds, long
    // enough to kill it; and
    // events (our INFO) are served every 1 KiB loaded, not only every 2 MiB.
    RedisServer s =
        start(
            server(tmp.resolve("d"))
                .config("key-load-delay", "150000")
                .config("loading-process-events-interval-bytes", "1024"));
    DataFixture.fill(s.sync(), 1);
    // Keys of 2 KiB: the loading server serves clients after each of them, not only after enough
    // small keys to make up 1 KiB (seconds apart): the killer's INFO must be answered early in the
    // load, or it kills the server only once the load is over and the restore has moved on.
    for (int i = 0; i < 20; i++) {
      s.sync().set("pad:" + i, "p".repeat(2048));
    }
    BackupContext c = context(tmp.resolve("repo"));
    backup(c, s);
    writeOther(s);
    s.sync().save(); // the original data on disk, as the rollback will load it
    Map<Integer, Map<String, KeyspaceDump.KeyState>> original = dump(s);
    String configBefore = Files.readString(s.configFile());

    CompletableFuture<Long> killed =
        CompletableFuture.supplyAsync(
            () -> {
              long pid =
                  Await.value(
                      Duration.ofSeconds(60),
                      "the restored Redis loading",
                      () ->
                          with(
                              s,
                              r -> {
                                String info = r.info("persistence") + r.info("server");
                                return info.contains("loading:1")
                                    ? Long.parseLong(
                                        info.replaceAll("(?s).*process_id:(\\d+).*", "$1"))
                                    : null;
                              }));
              ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
              return pid;
            });

    assertThatThrownBy(
            () ->
                service(c)
                    .restore(
                        target(s, ServiceCommands.defaults()),
                        Selection.latest(),
                        p -> true,
                        listener))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED);
              assertThat(e.getMessage())
                  .contains("failed at step 'start'")
                  .contains("exited before it was ready")
                  .contains("Loading RDB")
                  .contains("serves the original data again");
            });
    assertThat(killed.get()).isPositive();
    adopt(s);
    assertThat(dump(s)).isEqualTo(original);
    assertOriginalPlaceRestored(s, c, configBefore);
  }

  @Test
  void aFailingAofRewriteIsRolledBackToTheOriginalData() throws Exception {
    // AOF on at runtime only: the restore loads the RDB, then rewrites the AOF (with AOF on in the
    // config file as well the RDB would become the AOF's base and nothing would be rewritten)
    RedisServer s = start(server(tmp.resolve("d")));
    s.sync().configSet("appendonly", "yes");
    Await.until(
        Duration.ofSeconds(30),
        "the AOF switched on at runtime to be written",
        () ->
            "1".equals(info(s, "persistence", "aof_enabled"))
                && "0".equals(info(s, "persistence", "aof_rewrite_in_progress")));
    DataFixture.fill(s.sync(), 1);
    BackupContext c = context(tmp.resolve("repo"));
    backup(c, s);
    writeOther(s);
    s.sync().save(); // the rollback starts Redis from its config file (AOF off): it loads this
    Map<Integer, Map<String, KeyspaceDump.KeyState>> original = dump(s);
    // From now on every key takes 100 ms to write in a fork: the first AOF rewrite lasts seconds,
    // time to kill it.
    Files.writeString(
        s.configFile(), "rdb-key-save-delay 100000\n", java.nio.file.StandardOpenOption.APPEND);
    String configBefore = Files.readString(s.configFile());

    CompletableFuture<Long> killed =
        CompletableFuture.supplyAsync(
            () ->
                Await.value(
                    Duration.ofSeconds(60),
                    "the first AOF rewrite of the restored Redis",
                    () ->
                        with(
                            s,
                            r -> {
                              String info = r.info("persistence") + r.info("server");
                              if (!info.contains("aof_rewrite_in_progress:1")) {
                                return null;
                              }
                              long pid =
                                  Long.parseLong(
                                      info.replaceAll("(?s).*process_id:(\\d+).*", "$1"));
                              List<ProcessHandle> children =
                                  ProcessHandle.of(pid).orElseThrow().children().toList();
                              children.forEach(
                                  ProcessHandle
                                      ::destroyForcibly); // the rewrite child dies, as on a full
                              // disk
                              return children.isEmpty() ? null : pid;
                            })));

    assertThatThrownBy(
            () ->
                service(c)
                    .restore(
                        target(s, ServiceCommands.defaults()),
                        Selection.latest(),
                        p -> true,
                        listener))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED);
              assertThat(e.getMessage())
                  .contains("failed at step 'aof-rewrite'")
                  .contains("rewrite failed")
                  .contains("serves the original data again");
            });
    assertThat(killed.get()).isPositive();
    adopt(s);
    assertThat(dump(s)).isEqualTo(original);
    // started again as its config file says (appendonly no): the runtime switch was never persisted
    assertThat(info(s, "persistence", "aof_enabled")).isEqualTo("0");
    assertOriginalPlaceRestored(s, c, configBefore);
  }

  @Test
  @SuppressWarnings("try") // the lock is held through the try block, never referenced in it
  void aHeldLockRefuses() throws Exception {
    RedisServer s = start(server(tmp.resolve("d")));
    s.sync().set("k", "v");
    BackupContext c = context(tmp.resolve("repo"));
    backup(c, s);
    try (DatasetLock held = c.lock("ds")) {
      assertThatThrownBy(
              () ->
                  service(c)
                      .restore(
                          target(s, ServiceCommands.defaults()),
                          Selection.latest(),
                          p -> true,
                          listener))
          .isInstanceOfSatisfying(
              RedisOpsException.class,
              e -> {
                assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED);
                assertThat(e.getMessage())
                    .contains("another redis-ops operation on dataset 'ds' is running");
              });
    }
    assertThat(s.pid()).isEqualTo(pid(s));
  }

  @Test
  void aReplicaIsRefused() throws Exception {
    RedisServer master = start(server(tmp.resolve("m")));
    master.sync().set("k", "v");
    RedisServer replica = start(server(tmp.resolve("r")).replicaOf(master));
    BackupContext c = context(tmp.resolve("repo"));
    backup(c, master);
    assertThatThrownBy(
            () ->
                service(c)
                    .restore(
                        target(replica, ServiceCommands.defaults()),
                        Selection.latest(),
                        p -> true,
                        listener))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED);
              assertThat(e.getMessage()).contains("is a replica").contains("REPLICAOF NO ONE");
            });
    assertThat(replica.isAlive()).isTrue();
  }

  @Test
  void notEnoughDiskAndANewerRdbVersionAreRefused() throws Exception {
    RedisServer s = start(server(tmp.resolve("d")));
    s.sync().set("k", "v");
    BackupContext c = context(tmp.resolve("repo"));
    Manifest m = backup(c, s);
    RestoreService tight =
        new RestoreService(
            c,
            new BackupSources(new LocalBackupSource(c), null, BackupSources.From.LOCAL),
            java.time.Clock.systemUTC(),
            RestoreSupport.fastTimeouts(),
            dir -> 1024);
    assertThatThrownBy(
            () -> tight.plan(target(s, ServiceCommands.defaults()), Selection.latest(), listener))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED);
              assertThat(e.getMessage()).contains("not enough disk");
            });
    RestoreTarget t =
        new RestoreTarget(
            "x:1",
            "7.0.15",
            1,
            "c",
            s.dir().toString(),
            "dump.rdb",
            "appendonlydir",
            false,
            false,
            null,
            null,
            null);
    Manifest newer = TestManifests.from(m).rdbVersion(11).build();
    assertThatThrownBy(() -> TargetProbe.checkBackup(t, newer, TargetProbe.DiskSpace.REAL))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED);
              assertThat(e.getMessage()).contains("RDB version 11").contains("up to 10");
            });
  }

  /** After a rollback: the config file as it was, no quarantine, no staging file, no state file. */
  private static void assertOriginalPlaceRestored(
      RedisServer s, BackupContext c, String configBefore) throws Exception {
    assertThat(Files.readString(s.configFile())).isEqualTo(configBefore);
    try (Stream<Path> files = Files.list(s.dir())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(
              n -> n.startsWith(".redis-ops-restore") || n.startsWith("redis-ops-quarantine"));
    }
    assertThat(new RestoreStateStore(c.lockDir(), "ds").file()).doesNotExist();
  }
}
