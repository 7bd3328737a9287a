package io.redisops.recovery.aof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.FlushMode;
import io.lettuce.core.api.sync.RedisCommands;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.recovery.kernel.Quarantine;
import io.redisops.redis.RedisEndpoint;
import io.redisops.testkit.Await;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.KeyspaceDump;
import io.redisops.testkit.RedisServer;
import io.redisops.testkit.RedisServerExtension;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** aof check / repair / undo-flushall against a real redis-server and the real redis-check-aof. */
class AofServiceIT {
  @RegisterExtension
  final RedisServerExtension redis =
      RedisServerExtension.builder()
          .config("appendonly", "yes")
          .config("appendfsync", "always") // every write is in the file when the test reads it
          .config("aof-timestamp-enabled", "yes") // #TS lines, as a production AOF may have them
          .config(
              "aof-load-truncated",
              "no") // a torn tail stops the server: only a real repair lets it start
          .config("auto-aof-rewrite-percentage", "0") // no rewrite unless a test asks for one
          .build();

  private final AofService service = AofFixtures.service();
  private final List<String> progress = new ArrayList<>();

  @AfterEach
  void stopWhatRedisOpsStarted() {
    // A Redis started again by redis-ops is a daemon the testkit does not own: stop it by its pid.
    AofFixtures.stopRestarted(redis.dir(), redis.port());
  }

  private RedisEndpoint endpoint() {
    return RedisEndpoint.parse(redis.uri());
  }

  private AofService.RepairOptions repair(Path dir, boolean stop, boolean force) {
    return new AofService.RepairOptions(dir, stop, AofService.DEFAULT_MAX_LOSS, force, "redis-ops");
  }

  /** SET k1..kN, one command each. */
  private static void sets(RedisCommands<String, String> r, int from, int to) {
    for (int i = from; i <= to; i++) {
      r.set("k" + i, "value-" + i);
    }
  }

  /** The keyspace, over a new connection: the repair may have restarted Redis under a new PID. */
  private Map<Integer, Map<String, KeyspaceDump.KeyState>> dump() {
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
    try (var c = client.connect()) {
      return KeyspaceDump.of(c.sync());
    } finally {
      client.shutdown();
    }
  }

  @Test
  void aValidAofIsReportedWithItsCommandsAndLastTimestamp() {
    sets(redis.sync(), 1, 5);
    AofReport r = service.check(null, endpoint());
    assertThat(r.valid()).isTrue();
    AofFileReport incr = r.files().get(r.files().size() - 1);
    assertThat(incr.commands()).isEqualTo(6); // SELECT 0 and five SETs
    assertThat(incr.lastIntactTime()).isNotNull();
    assertThat(service.check(redis.dir(), endpoint()).valid()).isTrue();
  }

  @Test
  void aTruncatedTailIsRepairedAndTheServerStartsWithEveryCommandButTheCutOne() throws IOException {
    sets(redis.sync(), 1, 19);
    Map<Integer, Map<String, KeyspaceDump.KeyState>> before = KeyspaceDump.of(redis.sync());
    redis.sync().set("k20", "value-20");
    redis.server().kill9(); // a crash
    Path incr = AofFixtures.lastIncr(redis.dir());
    long size = Files.size(incr);
    try (FileChannel ch = FileChannel.open(incr, StandardOpenOption.WRITE)) {
      ch.truncate(size - 7); // the last SET is torn
    }
    Map<String, String> damaged = AofFixtures.digests(AofFixtures.aofDir(redis.dir()));
    assertThatThrownBy(() -> redis.server().start())
        .isInstanceOf(IllegalStateException.class); // it really is broken

    AofReport check = service.check(redis.dir(), endpoint());
    assertThat(check.damage()).isEqualTo(AofReport.Damage.LAST_FILE);
    AofFileReport bad = check.damagedFile().orElseThrow();
    assertThat(bad.commandsAfter()).isEqualTo(1);
    assertThat(bad.lastIntactTime()).isNotNull();

    AofOutcome out;
    try (AofPlan plan = service.planRepair(repair(redis.dir(), false, false), endpoint())) {
      assertThat(plan.removedCommands()).isEqualTo(1);
      assertThat(plan.removedBytes()).isEqualTo(bad.bytesAfter()).isLessThan(64);
      out = plan.execute(progress::add);
    }
    assertThat(out.after().valid()).isTrue();
    assertThat(Files.size(incr)).isEqualTo(bad.validUpTo());
    assertThat(out.startedPid())
        .isEqualTo(-1); // it was down and stays down: redis-ops starts only what it stopped
    // The quarantine copy is byte for byte the damaged original.
    assertThat(AofFixtures.digests(out.quarantine().resolve("appendonlydir"))).isEqualTo(damaged);
    assertThat(out.quarantine().getParent()).isEqualTo(redis.dir().resolve(Quarantine.FOLDER));
    // The one quarantine layout of restore and the AOF tools: <data dir>/redis-ops-quarantine/<UTC
    // time>-repair
    assertThat(out.quarantine().getFileName().toString()).matches("\\d{8}T\\d{6}Z-repair");

    redis.server().start();
    assertThat(KeyspaceDump.of(redis.sync())).isEqualTo(before);
  }

  @Test
  void damageInTheMiddleIsRefusedWithoutForceAndRepairedWithForceReportingTheLoss()
      throws IOException {
    sets(redis.sync(), 1, 5);
    Map<Integer, Map<String, KeyspaceDump.KeyState>> before = KeyspaceDump.of(redis.sync());
    Path incr = AofFixtures.lastIncr(redis.dir());
    long damageAt = Files.size(incr); // k6 starts here (or its #TS line)
    sets(redis.sync(), 6, 20);
    redis.server().kill9();
    // Break the '*' of the first command at or after damageAt.
    byte[] bytes = Files.readAllBytes(incr);
    int star = damageAt == bytes.length ? -1 : indexOf(bytes, (byte) '*', (int) damageAt);
    try (RandomAccessFile f = new RandomAccessFile(incr.toFile(), "rw")) {
      f.seek(star + 4); // inside "*3\r\n$3\r\nset": the '$' becomes 'X'
      f.write('X');
    }
    Map<String, String> damaged = AofFixtures.digests(AofFixtures.aofDir(redis.dir()));

    assertThatThrownBy(() -> service.planRepair(repair(redis.dir(), false, false), endpoint()))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED))
        .hasMessageContaining("15 commands")
        .hasMessageContaining("--force");
    assertThat(AofFixtures.digests(AofFixtures.aofDir(redis.dir())))
        .isEqualTo(damaged); // nothing touched

    AofOutcome out;
    try (AofPlan plan = service.planRepair(repair(redis.dir(), false, true), endpoint())) {
      assertThat(plan.removedCommands()).isEqualTo(15);
      assertThat(plan.findings())
          .anyMatch(l -> l.contains("15 commands") && l.contains("last intact command"));
      out = plan.execute(progress::add);
    }
    assertThat(out.removedCommands()).isEqualTo(15);
    assertThat(out.removedBytes()).isEqualTo(bytes.length - star);
    assertThat(AofFixtures.digests(out.quarantine().resolve("appendonlydir"))).isEqualTo(damaged);
    redis.server().start();
    assertThat(KeyspaceDump.of(redis.sync())).isEqualTo(before);
  }

  @Test
  void aDamagedBaseIsRefusedWithTheRestoreAdvice() throws IOException {
    sets(redis.sync(), 1, 50);
    rewrite(redis.server());
    redis.server().kill9();
    Path base = AofLocator.fromDir(redis.dir()).files().get(0).path();
    try (RandomAccessFile f = new RandomAccessFile(base.toFile(), "rw")) {
      f.seek(Files.size(base) / 2);
      int b = f.read();
      f.seek(Files.size(base) / 2);
      f.write(b ^ 0xff);
    }
    AofReport check = service.check(redis.dir(), endpoint());
    assertThat(check.damage()).as(check.toString()).isEqualTo(AofReport.Damage.BASE);
    assertThatThrownBy(() -> service.planRepair(repair(redis.dir(), false, true), endpoint()))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.INTEGRITY))
        .hasMessageContaining("base file " + base.getFileName())
        .hasMessageContaining("restore from a backup: redis-ops restore --latest");
  }

  @Test
  void damageInAnIncrFileThatIsNotTheLastIsRefusedWithTheRestoreAdvice() throws IOException {
    sets(redis.sync(), 1, 5);
    redis.server().kill9();
    Path dir = AofFixtures.aofDir(redis.dir());
    Path incr1 = AofFixtures.lastIncr(redis.dir());
    Files.copy(incr1, dir.resolve("appendonly.aof.2.incr.aof"));
    Files.writeString(
        dir.resolve("appendonly.aof.manifest"),
        "file appendonly.aof.2.incr.aof seq 2 type i\n",
        StandardOpenOption.APPEND);
    try (RandomAccessFile f = new RandomAccessFile(incr1.toFile(), "rw")) {
      f.seek(Files.size(incr1) - 20);
      f.write('X');
    }
    assertThatThrownBy(() -> service.planRepair(repair(redis.dir(), false, true), endpoint()))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.INTEGRITY))
        .hasMessageContaining("is not the last incr file")
        .hasMessageContaining("redis-ops restore --at ");
  }

  @Test
  void theSingleFileLayoutOfOlderRedisIsCheckedAndRepaired(
      @org.junit.jupiter.api.io.TempDir Path data) throws IOException {
    sets(redis.sync(), 1, 3);
    // A pre-7.0 AOF is one RESP file in the data directory: the incr file's commands are exactly
    // that.
    Path single = data.resolve("appendonly.aof");
    Files.write(single, Files.readAllBytes(AofFixtures.lastIncr(redis.dir())));
    long intact = Files.size(single);
    Files.writeString(single, "*2\r\n$3\r\ndel\r\n$2\r\nk", StandardOpenOption.APPEND);

    AofReport check = service.check(data, endpoint());
    assertThat(check.location().multiPart()).isFalse();
    assertThat(check.damage()).isEqualTo(AofReport.Damage.LAST_FILE);
    assertThat(check.damagedFile().orElseThrow().validUpTo()).isEqualTo(intact);
    assertThat(check.damagedFile().orElseThrow().commands()).isEqualTo(4);
    AofOutcome out;
    try (AofPlan plan = service.planRepair(repair(data, false, false), endpoint())) {
      out = plan.execute(progress::add);
    }
    assertThat(out.after().valid()).isTrue();
    assertThat(Files.size(single)).isEqualTo(intact);
    assertThat(Files.readString(out.quarantine().resolve("appendonly.aof"))).endsWith("$2\r\nk");
  }

  @Test
  void aRunningRedisIsRefusedWithoutStopAndStoppedAndStartedWithStop() throws IOException {
    sets(redis.sync(), 1, 10);
    long pid = redis.pid();
    // A torn command at the end of the file of the running server.
    Files.writeString(
        AofFixtures.lastIncr(redis.dir()),
        "*3\r\n$3\r\nset\r\n$3\r\nk11\r\n$5\r\nval",
        StandardOpenOption.APPEND);

    assertThatThrownBy(() -> service.planRepair(repair(null, false, false), endpoint()))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED))
        .hasMessageContaining("is running")
        .hasMessageContaining("--stop");
    assertThatThrownBy(() -> service.planRepair(repair(redis.dir(), false, false), endpoint()))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED));
    assertThat(redis.sync().ping()).isEqualTo("PONG");

    AofOutcome out;
    try (AofPlan plan = service.planRepair(repair(null, true, false), endpoint())) {
      assertThat(plan.describe()).first().asString().contains("SHUTDOWN NOSAVE");
      out = plan.execute(progress::add);
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(out.startedPid()).isPositive().isNotEqualTo(pid);
    assertThat(ProcessHandle.of(out.startedPid()).map(ProcessHandle::isAlive).orElse(false))
        .isTrue();
    assertThat(out.keysAfter()).isEqualTo(10);
    assertThat(out.removedCommands()).isEqualTo(1);
    assertThat(dump().get(0))
        .containsOnlyKeys("k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10");
  }

  @ParameterizedTest
  @ValueSource(strings = {"FLUSHALL", "FLUSHALL ASYNC", "FLUSHDB"})
  void aTrailingFlushIsUndoneWithEveryKeyAndValueBack(String flush) {
    DataFixture.fill(redis.sync(), 1);
    Map<Integer, Map<String, KeyspaceDump.KeyState>> before = KeyspaceDump.of(redis.sync());
    long pid = redis.pid();
    switch (flush) {
      case "FLUSHALL" -> redis.sync().flushall();
      case "FLUSHALL ASYNC" -> redis.sync().flushall(FlushMode.ASYNC);
      default -> redis.sync().flushdb();
    }
    assertThat(KeyspaceDump.of(redis.sync())).isNotEqualTo(before);

    AofOutcome out;
    try (AofPlan plan = service.planUndoFlushall(endpoint(), "redis-ops")) {
      assertThat(plan.removed()).containsExactly(flush);
      out = plan.execute(progress::add);
    }
    assertThat(out.startedPid()).isNotEqualTo(pid);
    assertThat(out.keysAfter()).isEqualTo(KeyspaceDump.count(before));
    assertThat(out.keysBefore()).isLessThan(out.keysAfter());
    assertSameData(withoutStreamReadCounters(dump()), withoutStreamReadCounters(before));
  }

  @Test
  void aFlushFollowedByARewriteIsRefusedWithTheReason() {
    sets(redis.sync(), 1, 10);
    redis.sync().flushall();
    rewrite(redis.server());
    long pid = redis.pid();
    assertThatThrownBy(() -> service.planUndoFlushall(endpoint(), "redis-ops"))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED))
        .hasMessageContaining("no FLUSHALL or FLUSHDB in the AOF since its last rewrite")
        .hasMessageContaining("redis-ops restore --latest");
    assertThat(redis.sync().ping()).isEqualTo("PONG");
    assertThat(redis.pid()).isEqualTo(pid);
  }

  @Test
  void writesAfterTheFlushAreRefusedWithTheReason() {
    sets(redis.sync(), 1, 10);
    redis.sync().flushall();
    redis.sync().set("new", "1");
    assertThatThrownBy(() -> service.planUndoFlushall(endpoint(), "redis-ops"))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED))
        .hasMessageContaining(
            "the last FLUSHALL in appendonly.aof.1.incr.aof is followed by 1 command");
  }

  /**
   * Redis 7.0 does not log a consumer group's {@code entries-read} in the AOF: any server loading
   * an AOF reports it as null, and {@code lag} with it (seen with redis-server 7.0.15 and a plain
   * restart, no redis-ops involved). Those two derived counters are left out of the comparison;
   * ids, pending entries and consumers are compared.
   */
  static Map<Integer, Map<String, KeyspaceDump.KeyState>> withoutStreamReadCounters(
      Map<Integer, Map<String, KeyspaceDump.KeyState>> dump) {
    Map<Integer, Map<String, KeyspaceDump.KeyState>> out = new java.util.TreeMap<>();
    dump.forEach(
        (db, keys) -> {
          Map<String, KeyspaceDump.KeyState> m = new java.util.TreeMap<>();
          keys.forEach(
              (k, v) ->
                  m.put(
                      k,
                      !v.type().equals("stream")
                          ? v
                          : new KeyspaceDump.KeyState(
                              v.type(),
                              ((List<?>) v.value())
                                  .stream()
                                      .map(
                                          e ->
                                              String.valueOf(e)
                                                  .replaceAll(
                                                      "entries-read=[^,]*, lag=[^,]*, ", ""))
                                      .toList(),
                              v.pexpireTime())));
          out.put(db, m);
        });
    return out;
  }

  /**
   * Equal dumps; on failure the message names only the keys that differ (a full dump is too long to
   * read).
   */
  static void assertSameData(
      Map<Integer, Map<String, KeyspaceDump.KeyState>> actual,
      Map<Integer, Map<String, KeyspaceDump.KeyState>> expected) {
    List<String> diff = new ArrayList<>();
    java.util.Set<Integer> dbs = new java.util.TreeSet<>(expected.keySet());
    dbs.addAll(actual.keySet());
    for (int db : dbs) {
      Map<String, KeyspaceDump.KeyState> a = actual.getOrDefault(db, Map.of());
      Map<String, KeyspaceDump.KeyState> e = expected.getOrDefault(db, Map.of());
      java.util.Set<String> keys = new java.util.TreeSet<>(e.keySet());
      keys.addAll(a.keySet());
      for (String k : keys) {
        if (!java.util.Objects.equals(a.get(k), e.get(k))) {
          String as = String.valueOf(a.get(k));
          String es = String.valueOf(e.get(k));
          int from = 0;
          while (from < Math.min(as.length(), es.length()) && as.charAt(from) == es.charAt(from)) {
            from++;
          }
          from = Math.max(0, from - 40);
          diff.add(
              "db"
                  + db
                  + " "
                  + k
                  + ": expected ..."
                  + es.substring(from, Math.min(from + 200, es.length()))
                  + " but was ..."
                  + as.substring(from, Math.min(from + 200, as.length())));
        }
      }
    }
    assertThat(diff).as("keys that differ").isEmpty();
  }

  /** BGREWRITEAOF and wait until it is done (a new base holds the data). */
  private static void rewrite(RedisServer server) {
    long rewritesBefore = Long.parseLong(server.info("persistence", "aof_rewrites"));
    server.sync().bgrewriteaof();
    Await.until(
        Duration.ofSeconds(30),
        "AOF rewrite finished",
        () ->
            Long.parseLong(server.info("persistence", "aof_rewrites")) > rewritesBefore
                && "0".equals(server.info("persistence", "aof_rewrite_in_progress"))
                && "0".equals(server.info("persistence", "aof_rewrite_scheduled"))
                && "ok".equals(server.info("persistence", "aof_last_bgrewrite_status")));
  }

  private static int indexOf(byte[] b, byte what, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == what) {
        return i;
      }
    }
    throw new AssertionError("no '" + (char) what + "' after " + from);
  }
}
