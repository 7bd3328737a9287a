package io.redisops.backup.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.BackupRequest;
import io.redisops.backup.service.BackupService;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisSession;
import io.redisops.storage.LocalRepository;
import io.redisops.testkit.Await;
import io.redisops.testkit.RedisServerExtension;
import io.redisops.text.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code --method bgsave} reading the snapshot while the server's child writes it (and its
 * fallback), against a real redis-server whose child is slowed by {@code rdb-key-save-delay}.
 */
class BgsaveFollowIT {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.builder().build();

  private static final int KEYS = 2_000;

  @TempDir Path tmp;

  @BeforeAll
  static void fill() {
    Map<String, String> batch = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      batch.put("key:" + i, ("value-" + i + "-").repeat(100));
      if (batch.size() == 500) {
        redis.sync().mset(batch);
        batch.clear();
      }
    }
  }

  @AfterEach
  void noDelay() {
    redis.sync().configSet("rdb-key-save-delay", "0");
    Await.until(
        Duration.ofSeconds(30),
        "no save runs",
        () -> "0".equals(redis.info("persistence", "rdb_bgsave_in_progress")));
  }

  /** Slows the save child to about {@code micros} per key: it runs while we look for it. */
  private static void slowSave(int micros) {
    redis.sync().configSet("rdb-key-save-delay", Integer.toString(micros));
  }

  /** The size each capture reported: -1 when it followed the child, the file's size otherwise. */
  private record Recording(SnapshotSource source, AtomicLong size) implements SnapshotSource {
    Recording(SnapshotSource source) {
      this(source, new AtomicLong(Long.MIN_VALUE));
    }

    @Override
    public Snapshot capture(RedisSession session) throws IOException {
      Snapshot s = source.capture(session);
      size.set(s.size());
      return s;
    }
  }

  private BackupContext context() {
    return TestBackupContext.of(new LocalRepository(tmp.resolve("repo")))
        .clock(Clock.systemUTC())
        .build();
  }

  private static BackupRequest request() {
    return new BackupRequest(
        "ds", RedisEndpoint.parse(redis.uri()), Set.of(Tier.MANUAL), SnapshotMethod.BGSAVE);
  }

  private static Manifest backup(BackupContext c, SnapshotSource bgsave) {
    return new BackupService(c, bgsave, bgsave).backup(request(), ProgressListener.NONE).manifest();
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        d.update(buf, 0, n);
      }
    }
    return Hex.of(d.digest());
  }

  @Test
  void aFollowedCaptureStoresExactlyTheBytesOfTheFinishedDump() throws Exception {
    slowSave(100); // 0.2 s or more for the 2000 keys
    BackupContext c = context();
    Recording source = new Recording(new BgsaveSnapshotSource(c.clock(), Duration.ofMinutes(2)));

    Manifest m = backup(c, source);

    // The read ended at the child's rename; the backup returns once the server has noticed the
    // child's end, so that a BGSAVE of the user's right after it is not refused.
    assertThat(redis.info("persistence", "rdb_bgsave_in_progress")).isEqualTo("0");
    assertThat(source.size().get()).as("followed: size unknown until the end").isEqualTo(-1);
    // The child renamed the file we followed to dump.rdb: the same bytes (save "" is configured, so
    // no later save replaced it).
    Path dump = redis.dir().resolve("dump.rdb");
    assertThat(m.rawSha256()).isEqualTo(sha256(dump));
    assertThat(m.rawSize()).isEqualTo(Files.size(dump));
    assertThat(m.totalKeys()).isEqualTo((long) KEYS);
  }

  /**
   * SIGKILL is a crash (the server records {@code rdb_last_bgsave_status:err}); SIGUSR1 is how the
   * server itself stops a save ({@code FLUSHALL}, {@code SHUTDOWN}, a full resync) and leaves the
   * status {@code ok}: both leave a torn file that must not be stored.
   */
  @ParameterizedTest
  @CsvSource({
    "KILL, ended before the snapshot was complete (rdb_last_bgsave_status:err)",
    "USR1, was stopped by the server before it finished"
  })
  void aChildEndedWhileWritingFailsTheBackupAndNothingIsStored(String signal, String message)
      throws Exception {
    if (!"ok".equals(redis.info("persistence", "rdb_last_bgsave_status"))) {
      // SIGUSR1 leaves the status as it was (a SIGKILL before made it err): start from a good save
      long saves = Long.parseLong(redis.info("persistence", "rdb_saves"));
      redis.sync().bgsave();
      Await.until(
          Duration.ofSeconds(30),
          "a good save",
          () ->
              Long.parseLong(redis.info("persistence", "rdb_saves")) > saves
                  && "ok".equals(redis.info("persistence", "rdb_last_bgsave_status")));
    }
    slowSave(5_000); // 10 s or more: it is stopped long before
    BackupContext c = context();
    BgsaveSnapshotSource real = new BgsaveSnapshotSource(c.clock(), Duration.ofMinutes(2));
    long[] child = {-1};
    SnapshotSource stopping =
        session -> {
          Snapshot s = real.capture(session);
          assertThat(s.size()).as("followed").isEqualTo(-1);
          child[0] = saveChild(redis.pid());
          signal(signal, child[0]);
          return s;
        };

    assertThatThrownBy(() -> backup(c, stopping))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e ->
                assertThat(e.getMessage()).contains("child process " + child[0]).contains(message));
    assertThat(c.catalog("ds").list()).isEmpty();
    try (Stream<Path> files = Files.walk(tmp.resolve("repo"))) {
      assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList())
          .containsOnly(".lock");
    }
  }

  /** The save child of {@code serverPid}, found as the capture found it. */
  private static long saveChild(long serverPid) {
    return ProcessTable.HOST.candidateChildren(serverPid, redis.dir()).stream()
        .filter(
            pid ->
                ProcessTable.HOST.stat(pid).map(s -> s.ppid() == serverPid).orElse(false)
                    && Files.exists(redis.dir().resolve("temp-" + pid + ".rdb")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no save child of " + serverPid));
  }

  private static void signal(String signal, long pid) throws IOException {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
      assertThat(kill.waitFor()).as("kill -" + signal + " " + pid).isZero();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /**
   * The child's rename of its file ends the capture, without the server's word: with the server's
   * own process paused (SIGSTOP) once the capture follows our save's child, nothing answers INFO
   * and nothing reaps the child, and the snapshot still reads to its end, whole. The clock stands
   * still, so the capture never asks INFO while it reads (it does once a second) and its deadline
   * never passes: a capture that waited for the server would hang here until the timeout.
   */
  @Test
  @Timeout(120)
  void theChildsRenameEndsTheCaptureWhileTheServerCannotAnswer() throws Exception {
    slowSave(100); // 0.2 s or more for the 2000 keys: found while it runs
    Clock still = Clock.fixed(Instant.now(), ZoneOffset.UTC);
    BgsaveSnapshotSource source = new BgsaveSnapshotSource(still, Duration.ofMinutes(2));
    byte[] read;
    try (RedisSession session =
        RedisConnector.connect(RedisEndpoint.parse(redis.uri()), Duration.ofSeconds(10))) {
      try (Snapshot s = source.capture(session)) {
        assertThat(s.size()).as("followed").isEqualTo(-1);
        signal("STOP", redis.pid());
        try {
          read = s.stream().readAllBytes();
        } finally {
          signal("CONT", redis.pid());
        }
      }
    }
    Path dump = redis.dir().resolve("dump.rdb");
    assertThat(read).hasSize((int) Files.size(dump));
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    assertThat(Hex.of(d.digest(read))).isEqualTo(sha256(dump));
  }

  /**
   * {@link Snapshot#settle} waits for the server to notice the end of our save, not for a later
   * save: one started right after ours was reaped, and slowed to two seconds or more, still runs
   * when it returns.
   */
  @Test
  @Timeout(120)
  void settleDoesNotWaitForALaterSave() throws Exception {
    slowSave(100); // 0.2 s or more: found while it runs
    long savesBefore = Long.parseLong(redis.info("persistence", "rdb_saves"));
    BgsaveSnapshotSource source =
        new BgsaveSnapshotSource(Clock.fixed(Instant.now(), ZoneOffset.UTC), Duration.ofMinutes(2));
    try (RedisSession session =
        RedisConnector.connect(RedisEndpoint.parse(redis.uri()), Duration.ofSeconds(10))) {
      try (Snapshot s = source.capture(session)) {
        assertThat(s.size()).as("followed").isEqualTo(-1);
        assertThat(s.stream().readAllBytes())
            .hasSize((int) Files.size(redis.dir().resolve("dump.rdb")));
        Await.until(
            Duration.ofSeconds(30),
            "the server to reap our save's child",
            () -> "0".equals(redis.info("persistence", "rdb_bgsave_in_progress")));
        slowSave(1_000); // the later save: 2 s or more for the 2000 keys
        session.command("BGSAVE");

        s.settle();
      }
    }
    assertThat(redis.info("persistence", "rdb_bgsave_in_progress"))
        .as("the later save still runs: settle did not wait for it")
        .isEqualTo("1");
    assertThat(Long.parseLong(redis.info("persistence", "rdb_saves"))).isEqualTo(savesBefore + 2);
  }

  @Test
  void withoutAVisibleChildTheFinishedFileIsRead() throws Exception {
    slowSave(100);
    BackupContext c = context();
    // A process table with nothing in it: as for a server in another pid namespace, or no /proc.
    ProcessTable none = new ProcessTable(Files.createDirectory(tmp.resolve("no-proc")));
    Recording source =
        new Recording(new BgsaveSnapshotSource(c.clock(), Duration.ofMinutes(2), none));

    Manifest m = backup(c, source);

    Path dump = redis.dir().resolve("dump.rdb");
    assertThat(source.size().get()).as("read once finished").isEqualTo(Files.size(dump));
    assertThat(m.rawSha256()).isEqualTo(sha256(dump));
    assertThat(m.totalKeys()).isEqualTo((long) KEYS);
  }

  @Test
  void aServerOnAnotherHostIsRefusedBeforeItSavesOrAnyFileIsRead() throws Exception {
    BackupContext c = context();
    // This host's dir/dbfilename holds a dump.rdb, as a local Redis' would: it must not be stored
    // as the other server's backup.
    redis.sync().save();
    assertThat(redis.dir().resolve("dump.rdb")).exists();
    long savesBefore = Long.parseLong(redis.info("persistence", "rdb_saves"));
    BgsaveSnapshotSource elsewhere =
        new BgsaveSnapshotSource(
            c.clock(), Duration.ofMinutes(2), ProcessTable.HOST, endpoint -> false);

    assertThatThrownBy(() -> backup(c, elsewhere))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessageContaining("is not on this host")
        .hasMessageContaining("replication");
    assertThat(Long.parseLong(redis.info("persistence", "rdb_saves")))
        .as("no BGSAVE sent")
        .isEqualTo(savesBefore);
    assertThat(c.catalog("ds").list()).isEmpty();
  }
}
