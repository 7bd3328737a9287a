package io.redisops.backup.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.snapshot.BgsaveSnapshotSource;
import io.redisops.backup.snapshot.ReplicationSnapshotSource;
import io.redisops.backup.snapshot.Snapshot;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.backup.snapshot.SnapshotSource;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.redis.RedisEndpoint;
import io.redisops.storage.LocalRepository;
import io.redisops.testkit.Await;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.KeyspaceDump;
import io.redisops.testkit.MutableClock;
import io.redisops.testkit.RedisServer;
import io.redisops.testkit.RedisServerExtension;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Backups of a real redis-server through the service the CLI and the daemon use. */
class BackupServiceIT {
  @RegisterExtension
  static final RedisServerExtension redis =
      RedisServerExtension.builder().config("repl-diskless-sync-delay", "0").build();

  @TempDir Path tmp;

  @BeforeAll
  static void fill() {
    DataFixture.fill(redis.sync(), 1);
  }

  private BackupContext context(Path repo, Clock clock) {
    LocalRepository r = new LocalRepository(repo);
    return TestBackupContext.of(r).clock(clock).build();
  }

  private static BackupService service(BackupContext c, SnapshotSource bgsave) {
    return new BackupService(
        c,
        bgsave,
        new ReplicationSnapshotSource(c.clock(), Duration.ofSeconds(5), Duration.ofSeconds(30)));
  }

  private static BackupService service(BackupContext c) {
    return service(c, new BgsaveSnapshotSource(c.clock(), Duration.ofMinutes(2)));
  }

  private static BackupRequest request(SnapshotMethod method, Tier... tiers) {
    return new BackupRequest("ds", RedisEndpoint.parse(redis.uri()), Set.of(tiers), method);
  }

  @ParameterizedTest
  @EnumSource(
      value = SnapshotMethod.class,
      names = {"BGSAVE", "REPLICATION"})
  void aBackupHoldsExactlyTheData(SnapshotMethod method) throws Exception {
    BackupContext c = context(tmp.resolve("repo"), Clock.systemUTC());
    Map<Integer, Map<String, KeyspaceDump.KeyState>> before = KeyspaceDump.of(redis.sync());

    Manifest m = service(c).backup(request(method, Tier.MANUAL), ProgressListener.NONE).manifest();

    assertThat(m.method()).isEqualTo(method.id());
    assertThat(m.keys())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                0,
                (long) before.get(0).size(),
                2,
                (long) before.get(2).size(),
                15,
                (long) before.get(15).size()));
    assertThat(m.expires().get(0)).isEqualTo(3L);
    assertThat(m.rdbVersion()).isEqualTo(10);
    assertThat(m.source().role()).isEqualTo("master");
    assertThat(m.source().redisVersion()).startsWith("7.");

    // Load the stored backup into a fresh redis-server and compare every key, value, type and
    // expire time.
    Path loadDir = Files.createDirectory(tmp.resolve("load"));
    try (InputStream in = Compression.ZSTD.decompress(c.catalog("ds").openObject(m))) {
      Files.copy(in, loadDir.resolve("dump.rdb"));
    }
    try (RedisServer loaded =
        RedisServer.builder().dir(loadDir).config("dbfilename", "dump.rdb").start()) {
      assertThat(KeyspaceDump.of(loaded.sync())).isEqualTo(before);
    }
  }

  @Test
  void aCorruptedSnapshotIsRefusedAtCaptureAndNothingIsStored() throws Exception {
    BackupContext c = context(tmp.resolve("repo"), Clock.systemUTC());
    SnapshotSource real = new BgsaveSnapshotSource(c.clock(), Duration.ofMinutes(2));
    // The real snapshot with one byte flipped in transit, as bad RAM or a bad disk would do it.
    SnapshotSource flipping = session -> new FlippedSnapshot(real.capture(session), 5_000);

    assertThatThrownBy(
            () ->
                service(c, flipping)
                    .backup(request(SnapshotMethod.BGSAVE, Tier.MANUAL), ProgressListener.NONE))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.INTEGRITY);
              assertThat(e.getMessage())
                  .containsAnyOf("CRC64", "not a valid RDB")
                  .contains("nothing was stored");
            });
    assertThat(c.catalog("ds").list()).isEmpty();
    try (Stream<Path> files = Files.walk(tmp.resolve("repo"))) {
      assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList())
          .containsOnly(".lock");
    }
  }

  @Test
  void aSaveAlreadyRunningIsWaitedForAndNeverAccepted() throws Exception {
    BackupContext c = context(tmp.resolve("repo"), Clock.systemUTC());
    var r = redis.sync();
    long savesBefore = Long.parseLong(redis.info("persistence", "rdb_saves"));
    // A slow save someone else started: each key costs 300 microseconds, so it runs for about two
    // seconds.
    r.configSet("rdb-key-save-delay", "300");
    try {
      r.bgsave();
      Await.until(
          Duration.ofSeconds(10),
          "the other BGSAVE to run",
          () -> "1".equals(redis.info("persistence", "rdb_bgsave_in_progress")));
      r.configSet("rdb-key-save-delay", "0"); // our own save, forked later, is fast
      r.set("written-after-the-other-save-started", "must be in the backup");

      Manifest m =
          service(c)
              .backup(request(SnapshotMethod.BGSAVE, Tier.MANUAL), ProgressListener.NONE)
              .manifest();

      assertThat(Long.parseLong(redis.info("persistence", "rdb_saves"))).isEqualTo(savesBefore + 2);
      Path loadDir = Files.createDirectory(tmp.resolve("load"));
      try (InputStream in = Compression.ZSTD.decompress(c.catalog("ds").openObject(m))) {
        Files.copy(in, loadDir.resolve("dump.rdb"));
      }
      try (RedisServer loaded =
          RedisServer.builder().dir(loadDir).config("dbfilename", "dump.rdb").start()) {
        assertThat(loaded.sync().get("written-after-the-other-save-started"))
            .isEqualTo("must be in the backup");
      }
    } finally {
      r.configSet("rdb-key-save-delay", "0");
      r.del("written-after-the-other-save-started");
    }
  }

  @Test
  void retentionRunsAfterEachBackupAndKeepsTheNewest() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-01T10:00:00Z"));
    BackupContext c = context(tmp.resolve("repo"), clock);
    BackupService s = service(c);
    Manifest first =
        s.backup(request(SnapshotMethod.BGSAVE, Tier.HOURLY), ProgressListener.NONE).manifest();
    clock.advance(Duration.ofHours(47));
    Manifest second =
        s.backup(request(SnapshotMethod.BGSAVE, Tier.HOURLY), ProgressListener.NONE).manifest();
    assertThat(c.catalog("ds").list())
        .extracting(Manifest::id)
        .containsExactly(second.id(), first.id());

    clock.advance(Duration.ofHours(2)); // first is now 49 h old: past the 48 h of the hourly tier
    BackupResult third =
        s.backup(request(SnapshotMethod.BGSAVE, Tier.HOURLY), ProgressListener.NONE);

    assertThat(third.pruned()).extracting(Manifest::id).containsExactly(first.id());
    assertThat(c.catalog("ds").list())
        .extracting(Manifest::id)
        .containsExactly(third.manifest().id(), second.id());
    assertThat(Files.exists(tmp.resolve("repo/ds/" + first.id()))).isFalse();
  }

  @Test
  void verifyFindsAFlippedByteInAStoredBackup() throws Exception {
    BackupContext c = context(tmp.resolve("repo"), Clock.systemUTC());
    Manifest m =
        service(c)
            .backup(request(SnapshotMethod.BGSAVE, Tier.MANUAL), ProgressListener.NONE)
            .manifest();
    VerifyService verifier = new VerifyService(c);
    assertThat(verifier.verify("ds", m, ProgressListener.NONE).problems()).isEmpty();

    Path object = tmp.resolve("repo/ds/" + m.id() + "/" + m.object());
    byte[] bytes = Files.readAllBytes(object);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(object, bytes);

    VerifyService.Result r = verifier.verify("ds", m, ProgressListener.NONE);
    assertThat(r.ok()).isFalse();
    assertThat(String.join(" ", r.problems())).containsAnyOf("SHA-256", "cannot be read back");
  }

  @Test
  void leftoversOfAnInterruptedRunAreRemovedByTheNextBackup() throws Exception {
    BackupContext c = context(tmp.resolve("repo"), Clock.systemUTC());
    Path orphan = Files.createDirectories(tmp.resolve("repo/ds/20200101T000000Z"));
    Files.write(orphan.resolve("dump.rdb.zst"), new byte[] {1, 2, 3});
    Files.write(orphan.resolve(".manifest.json.part-1234abcd"), new byte[] {4});

    BackupResult r =
        service(c).backup(request(SnapshotMethod.BGSAVE, Tier.MANUAL), ProgressListener.NONE);

    assertThat(r.leftoversRemoved()).isEqualTo(2);
    assertThat(orphan).doesNotExist();
    assertThat(c.catalog("ds").list()).extracting(Manifest::id).containsExactly(r.manifest().id());
  }

  /** A snapshot whose stream has one byte flipped at a given offset. */
  private record FlippedSnapshot(Snapshot real, long offset) implements Snapshot {
    @Override
    public InputStream stream() {
      return new FilterInputStream(real.stream()) {
        long pos;

        @Override
        public int read() throws IOException {
          int b = super.read();
          if (b >= 0 && pos++ == offset) {
            b ^= 0x10;
          }
          return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
          int n = in.read(buf, off, len);
          if (n > 0 && offset >= pos && offset < pos + n) {
            buf[off + (int) (offset - pos)] ^= 0x10;
          }
          pos += Math.max(0, n);
          return n;
        }
      };
    }

    @Override
    public long size() {
      return real.size();
    }

    @Override
    public Instant snapshotTime() {
      return real.snapshotTime();
    }

    @Override
    public SnapshotMethod method() {
      return real.method();
    }

    @Override
    public void close() throws IOException {
      real.close();
    }
  }
}
