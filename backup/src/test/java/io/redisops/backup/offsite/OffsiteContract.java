package io.redisops.backup.offsite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.api.sync.RedisCommands;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.crypto.EncryptionKey;
import io.redisops.backup.crypto.ObjectEncryption;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.retention.RetentionPlanner;
import io.redisops.backup.retention.RetentionPolicy;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.BackupRequest;
import io.redisops.backup.service.BackupService;
import io.redisops.backup.service.FetchService;
import io.redisops.backup.service.Offsite;
import io.redisops.backup.service.PruneService;
import io.redisops.backup.service.PushResult;
import io.redisops.backup.service.PushService;
import io.redisops.backup.service.VerifyService;
import io.redisops.backup.snapshot.BgsaveSnapshotSource;
import io.redisops.backup.snapshot.ReplicationSnapshotSource;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.redis.RedisEndpoint;
import io.redisops.secret.Secret;
import io.redisops.storage.LocalRepository;
import io.redisops.storage.StoredObject;
import io.redisops.storage.s3.S3Repository;
import io.redisops.storage.s3.S3Settings;
import io.redisops.testkit.Await;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.FreePorts;
import io.redisops.testkit.MutableClock;
import io.redisops.testkit.RedisServerExtension;
import io.redisops.text.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Off-site copies against a real S3 server: the same tests run against the embedded S3Proxy and,
 * where a Docker engine exists, against MinIO. Subclasses say how to reach the server, make buckets
 * and (where they can) cause an outage.
 */
abstract class OffsiteContract {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.builder().build();

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  @TempDir Path tmp;

  MutableClock clock;
  BackupContext local;
  String bucket;
  final List<AutoCloseable> closeLater = new ArrayList<>();

  /** Settings that reach the server with valid credentials. */
  abstract S3Settings settings(String bucket, String prefix);

  abstract void createBucket(String name);

  /** Whether {@link #stopServer()} / {@link #startServer()} work here. */
  abstract boolean canStopServer();

  void stopServer() {}

  void startServer() {}

  @BeforeAll
  static void fill() {
    DataFixture.fill(redis.sync(), 1);
  }

  @BeforeEach
  void setUp() {
    clock = new MutableClock(T0);
    LocalRepository repo = new LocalRepository(tmp.resolve("repo"));
    local = TestBackupContext.of(repo).clock(clock).build();
    bucket = "offsite-" + BUCKETS.incrementAndGet();
    createBucket(bucket);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closeLater) {
      c.close();
    }
  }

  Offsite offsite(S3Settings s, ObjectEncryption encryption, RetentionPolicy retention) {
    return offsite(s, encryption, retention, S3Repository.SINGLE_PUT_MAX);
  }

  /**
   * @param singlePutMax the largest object sent in one PUT (0: every object of a part or more goes
   *     in a multipart upload)
   */
  Offsite offsite(
      S3Settings s, ObjectEncryption encryption, RetentionPolicy retention, long singlePutMax) {
    return offsite(new S3Repository(s, Duration.ofSeconds(2), singlePutMax), encryption, retention);
  }

  Offsite offsite(S3Repository repo, ObjectEncryption encryption, RetentionPolicy retention) {
    Offsite o =
        new Offsite(
            TestBackupContext.of(repo, tmp.resolve("repo").resolve(".offsite"))
                .retention(retention)
                .clock(clock)
                .build(),
            encryption);
    closeLater.add(o);
    return o;
  }

  Offsite offsite() {
    return offsite(
        settings(bucket, "backups/prod"), ObjectEncryption.none(), RetentionPolicy.defaults());
  }

  /** An off-site repository that sends every object of a part or more in a multipart upload. */
  Offsite multipartOffsite() {
    return offsite(
        settings(bucket, "backups/prod"), ObjectEncryption.none(), RetentionPolicy.defaults(), 0);
  }

  /** The same with one part in flight, as with a small heap ({@code -Xmx128m}). */
  Offsite multipartOffsiteOnePartInFlight() {
    return offsite(
        new S3Repository(settings(bucket, "backups/prod"), Duration.ofSeconds(2), 0, 1),
        ObjectEncryption.none(),
        RetentionPolicy.defaults());
  }

  Manifest backup(Tier... tiers) {
    BackupService service =
        new BackupService(
            local,
            new BgsaveSnapshotSource(clock, Duration.ofMinutes(1)),
            new ReplicationSnapshotSource(clock, Duration.ofSeconds(5), Duration.ofSeconds(30)));
    Manifest m =
        service
            .backup(
                new BackupRequest(
                    "ds", RedisEndpoint.parse(redis.uri()), Set.of(tiers), SnapshotMethod.BGSAVE),
                ProgressListener.NONE)
            .manifest();
    clock.advance(Duration.ofMinutes(1));
    return m;
  }

  static List<String> ids(List<Manifest> ms) {
    return ms.stream().map(Manifest::id).toList();
  }

  @Test
  void pushCopiesEveryMissingBackupOnceAndVerifiesOffsite() throws IOException {
    Manifest a = backup(Tier.HOURLY);
    Manifest b = backup(Tier.DAILY);
    Offsite o = offsite();
    PushService push = new PushService(local, o);

    PushResult dry = push.push("ds", true, ProgressListener.NONE);
    assertThat(dry.pushed()).extracting(PushResult.Pushed::id).containsExactly(b.id(), a.id());
    assertThat(o.remote().catalog("ds").list()).isEmpty();

    PushResult first = push.push("ds", false, ProgressListener.NONE);
    assertThat(first.pushed()).extracting(PushResult.Pushed::id).containsExactly(b.id(), a.id());
    assertThat(ids(o.remote().catalog("ds").list())).containsExactly(b.id(), a.id());
    assertThat(o.remote().catalog("ds").find(a.id())).contains(a);

    Manifest c = backup(Tier.HOURLY);
    PushResult second = push.push("ds", false, ProgressListener.NONE);
    assertThat(second.pushed()).extracting(PushResult.Pushed::id).containsExactly(c.id());
    assertThat(second.alreadyOffsite()).containsExactly(b.id(), a.id());
    assertThat(push.push("ds", false, ProgressListener.NONE).pushed()).isEmpty();

    VerifyService verify = new VerifyService(o.remote(), o.encryption());
    for (Manifest m : o.remote().catalog("ds").list()) {
      assertThat(verify.verify("ds", m, ProgressListener.NONE).problems()).isEmpty();
    }
    // the objects sit under the configured prefix, as in the local layout
    List<String> keys = o.remote().repository().list("").stream().map(StoredObject::key).toList();
    assertThat(keys).contains("ds/" + a.id() + "/manifest.json", "ds/" + a.id() + "/dump.rdb.zst");
  }

  @Test
  void fetchWritesTheRdbOnlyWhenEveryChecksumMatches() throws Exception {
    Manifest a = backup(Tier.MANUAL);
    Offsite o = offsite();
    new PushService(local, o).push("ds", false, ProgressListener.NONE);

    Path rdb = tmp.resolve("fetched.rdb");
    Manifest fetched = new FetchService(o).fetch("ds", a.id(), rdb, ProgressListener.NONE);
    assertThat(fetched).isEqualTo(a);
    assertThat(sha256(rdb)).isEqualTo(a.rawSha256());
    assertThat(Files.size(rdb)).isEqualTo(a.rawSize());
    assertThat(Files.getPosixFilePermissions(rdb)).hasSize(2);

    // damage the off-site object: same size, one byte changed
    String key = "ds/" + a.id() + "/" + a.object();
    byte[] bytes = o.remote().repository().read(key).readAllBytes();
    bytes[bytes.length / 2] ^= 0x40;
    o.remote().repository().write(key, out -> out.write(bytes));
    Path other = tmp.resolve("other.rdb");
    assertThatThrownBy(() -> new FetchService(o).fetch("ds", a.id(), other, ProgressListener.NONE))
        .isInstanceOf(RedisOpsException.class)
        .extracting(e -> ((RedisOpsException) e).exitCode())
        .isEqualTo(ExitCode.INTEGRITY);
    assertThat(other).doesNotExist();
    assertThat(tmp).isDirectoryNotContaining("glob:**/.other.rdb*");
    assertThat(new VerifyService(o.remote()).verify("ds", a, ProgressListener.NONE).ok()).isFalse();
    assertThatThrownBy(
            () -> new FetchService(o).fetch("ds", "20000101T000000Z", other, ProgressListener.NONE))
        .isInstanceOf(RedisOpsException.class)
        .extracting(e -> ((RedisOpsException) e).exitCode())
        .isEqualTo(ExitCode.NOT_FOUND);
  }

  @Test
  void encryptedRoundTripAndTamperedObjectAndWrongKeyAreIntegrityErrors() throws Exception {
    Manifest a = backup(Tier.MANUAL);
    EncryptionKey key = EncryptionKey.of(random(32, 1));
    Offsite o =
        offsite(
            settings(bucket, "enc"),
            new ObjectEncryption(Optional.of(key)),
            RetentionPolicy.defaults());
    new PushService(local, o).push("ds", false, ProgressListener.NONE);

    Manifest remote = o.remote().catalog("ds").find(a.id()).orElseThrow();
    assertThat(remote.object()).isEqualTo(a.object() + ".enc");
    assertThat(remote.encryption()).isEqualTo("aes-256-gcm-stream");
    assertThat(remote.encryptionKeyId()).isEqualTo(key.id());
    String manifestJson =
        new String(
            o.remote().repository().read("ds/" + a.id() + "/manifest.json").readAllBytes(),
            StandardCharsets.UTF_8);
    assertThat(manifestJson).contains(key.id()).doesNotContain(Hex.of(random(32, 1)));
    byte[] stored =
        o.remote().repository().read("ds/" + a.id() + "/" + remote.object()).readAllBytes();
    byte[] plain;
    try (InputStream in = local.catalog("ds").openObject(a)) {
      plain = in.readAllBytes();
    }
    assertThat(stored.length).isGreaterThan(plain.length);
    assertThat(indexOf(stored, java.util.Arrays.copyOfRange(plain, 0, 16))).isNegative();

    assertThat(
            new VerifyService(o.remote(), o.encryption())
                .verify("ds", remote, ProgressListener.NONE)
                .problems())
        .isEmpty();
    Path rdb = tmp.resolve("dec.rdb");
    new FetchService(o).fetch("ds", a.id(), rdb, ProgressListener.NONE);
    assertThat(sha256(rdb)).isEqualTo(a.rawSha256());

    Offsite wrong =
        offsite(
            settings(bucket, "enc"),
            new ObjectEncryption(Optional.of(EncryptionKey.of(random(32, 2)))),
            RetentionPolicy.defaults());
    assertThatThrownBy(
            () ->
                new FetchService(wrong)
                    .fetch("ds", a.id(), tmp.resolve("w.rdb"), ProgressListener.NONE))
        .isInstanceOf(RedisOpsException.class)
        .hasMessageContaining(key.id())
        .extracting(e -> ((RedisOpsException) e).exitCode())
        .isEqualTo(ExitCode.INTEGRITY);
    assertThat(
            new VerifyService(wrong.remote(), wrong.encryption())
                .verify("ds", remote, ProgressListener.NONE)
                .ok())
        .isFalse();

    byte[] tampered = stored.clone();
    tampered[tampered.length - 5] ^= 1;
    o.remote()
        .repository()
        .write("ds/" + a.id() + "/" + remote.object(), out -> out.write(tampered));
    assertThatThrownBy(
            () ->
                new FetchService(o)
                    .fetch("ds", a.id(), tmp.resolve("t.rdb"), ProgressListener.NONE))
        .isInstanceOf(RedisOpsException.class)
        .hasMessageContaining("tampered")
        .extracting(e -> ((RedisOpsException) e).exitCode())
        .isEqualTo(ExitCode.INTEGRITY);
    assertThat(tmp.resolve("t.rdb")).doesNotExist();
    assertThat(
            new VerifyService(o.remote(), o.encryption())
                .verify("ds", remote, ProgressListener.NONE)
                .problems())
        .singleElement()
        .asString()
        .contains("tampered");
  }

  @Test
  void offsiteRetentionFollowsItsOwnPolicyAndKeepsTheNewest() throws IOException {
    Manifest a = backup(Tier.HOURLY, Tier.DAILY);
    clock.advance(Duration.ofHours(1));
    Manifest b = backup(Tier.HOURLY);
    clock.advance(Duration.ofHours(1));
    Manifest c = backup(Tier.HOURLY);
    RetentionPolicy offsitePolicy =
        new RetentionPolicy(
            Map.of(Tier.HOURLY, Duration.ofMinutes(90), Tier.DAILY, Duration.ofDays(90)));
    Offsite o = offsite(settings(bucket, "ret"), ObjectEncryption.none(), offsitePolicy);
    PushResult pushed = new PushService(local, o).push("ds", false, ProgressListener.NONE);
    assertThat(pushed.retention()).allMatch(RetentionPlanner.Decision::keep);

    clock.advance(Duration.ofHours(5));
    PruneService prune = new PruneService(o.remote());
    assertThat(prune.prune("ds", true, false))
        .filteredOn(d -> !d.keep())
        .extracting(d -> d.backup().id())
        .containsExactly(b.id());
    assertThat(ids(o.remote().catalog("ds").list())).containsExactly(c.id(), b.id(), a.id());
    prune.prune("ds", false, false);
    // b: hourly and older than the off-site 90 minutes; a: daily, within 90 days; c: expired too,
    // but the newest
    assertThat(ids(o.remote().catalog("ds").list())).containsExactly(c.id(), a.id());
    assertThat(o.remote().repository().list("ds/" + b.id() + "/")).isEmpty();
    // the local repository keeps its own 48 h policy
    assertThat(ids(local.catalog("ds").list())).containsExactly(c.id(), b.id(), a.id());

    clock.advance(Duration.ofDays(100));
    prune.prune("ds", false, false);
    assertThat(ids(o.remote().catalog("ds").list())).containsExactly(c.id());
  }

  @Test
  void wrongCredentialsAreAUsageErrorAndLocalBackupsStay() throws IOException {
    Manifest a = backup(Tier.HOURLY);
    S3Settings good = settings(bucket, "p");
    S3Settings bad =
        new S3Settings(
            good.bucket(),
            good.prefix(),
            good.endpoint(),
            good.region(),
            good.pathStyle(),
            new S3Settings.Credentials.AccessKey(
                "AKWRONGWRONGWRONG", Secret.of("not-the-secret-0123"), "test"),
            good.storageClass(),
            good.sse(),
            good.kmsKeyId(),
            true);
    assertFailsWith(
        offsite(bad, ObjectEncryption.none(), RetentionPolicy.defaults()),
        ExitCode.USAGE,
        "credentials");
    assertThat(ids(local.catalog("ds").list())).containsExactly(a.id());
  }

  @Test
  void aMissingBucketIsAUsageError() throws IOException {
    Manifest a = backup(Tier.HOURLY);
    assertFailsWith(
        offsite(
            settings("no-such-bucket-here", "p"),
            ObjectEncryption.none(),
            RetentionPolicy.defaults()),
        ExitCode.USAGE,
        "no-such-bucket-here");
    assertThat(ids(local.catalog("ds").list())).containsExactly(a.id());
  }

  @Test
  void anUnreachableEndpointFailsTheRunAndLocalBackupsStay() throws IOException {
    Manifest a = backup(Tier.HOURLY);
    S3Settings good = settings(bucket, "p");
    S3Settings nowhere =
        new S3Settings(
            good.bucket(),
            good.prefix(),
            Optional.of(URI.create("http://127.0.0.1:" + unusedPort())),
            good.region(),
            true,
            good.credentials(),
            good.storageClass(),
            good.sse(),
            good.kmsKeyId(),
            true);
    String msg =
        assertFailsWith(
            offsite(nowhere, ObjectEncryption.none(), RetentionPolicy.defaults()),
            ExitCode.FAILED,
            "cannot reach");
    assertThat(msg).doesNotContain("\n");
    assertThat(ids(local.catalog("ds").list())).containsExactly(a.id());
    assertThat(local.catalog("ds").openObject(a).readAllBytes()).hasSize((int) a.storedSize());
  }

  private String assertFailsWith(Offsite o, ExitCode code, String text) {
    RedisOpsException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            RedisOpsException.class,
            () -> new PushService(local, o).push("ds", false, ProgressListener.NONE));
    assertThat(e.exitCode()).as(e.getMessage()).isEqualTo(code);
    assertThat(e.getMessage()).contains(text);
    return e.getMessage();
  }

  @Test
  void serverStoppedMidUploadLeavesNothingListedAndTheNextPushCleansUpAndSucceeds()
      throws Exception {
    assumeTrue(canStopServer(), "this server cannot be stopped and restarted by the test");
    RedisCommands<String, String> r = redis.sync();
    r.select(7);
    try {
      Random random = new Random(3);
      for (int i = 0; i < 24; i++) {
        byte[] v = new byte[1024 * 1024];
        random.nextBytes(v);
        r.set("big:" + i, java.util.Base64.getEncoder().encodeToString(v));
      }
      Manifest big = backup(Tier.MANUAL);
      assertThat(big.storedSize()).isGreaterThan(3L * S3Repository.PART_SIZE);
      // A multipart upload, whose abort fails with the server down: the next push cleans it up.
      Offsite multipart = multipartOffsite();
      pushWithTheServerStoppedHalfway(multipart, big);
      S3Repository repo = (S3Repository) multipart.remote().repository();
      assertThat(repo.incompleteUploads("ds/"))
          .as("the failed abort leaves an upload behind")
          .isNotEmpty();
      PushResult next = new PushService(local, multipart).push("ds", false, ProgressListener.NONE);
      assertThat(next.leftoversRemoved()).isPositive();
      assertThat(next.pushed()).extracting(PushResult.Pushed::id).contains(big.id());
      assertThat(repo.incompleteUploads("ds/")).isEmpty();
      assertVerifiedOffsite(multipart, big);

      // One streaming PUT cut short: S3 stores nothing of it, so nothing is left to clean up.
      Offsite single =
          offsite(settings(bucket, "single"), ObjectEncryption.none(), RetentionPolicy.defaults());
      pushWithTheServerStoppedHalfway(single, big);
      S3Repository singleRepo = (S3Repository) single.remote().repository();
      assertThat(singleRepo.incompleteUploads("ds/")).isEmpty();
      assertThat(singleRepo.list("ds/")).as("no object of the cut upload").isEmpty();
      PushResult again = new PushService(local, single).push("ds", false, ProgressListener.NONE);
      assertThat(again.pushed()).extracting(PushResult.Pushed::id).contains(big.id());
      assertVerifiedOffsite(single, big);
    } finally {
      r.flushdb();
      r.select(0);
    }
  }

  private void pushWithTheServerStoppedHalfway(Offsite o, Manifest big) {
    AtomicBoolean stopped = new AtomicBoolean();
    AtomicLong sent = new AtomicLong();
    ProgressListener stopHalfway =
        new ProgressListener() {
          @Override
          public void begin(String task, long totalBytes) {}

          @Override
          public void advance(long bytes) {
            if (sent.addAndGet(bytes) > big.storedSize() / 2 && !stopped.getAndSet(true)) {
              stopServer();
            }
          }

          @Override
          public void end() {}
        };
    try {
      assertThatThrownBy(() -> new PushService(local, o).push("ds", false, stopHalfway))
          .isInstanceOf(RedisOpsException.class)
          .extracting(e -> ((RedisOpsException) e).exitCode())
          .isEqualTo(ExitCode.FAILED);
    } finally {
      if (stopped.get()) {
        startServer();
      }
    }
    assertThat(stopped).isTrue();
    try {
      assertThat(o.remote().catalog("ds").list()).isEmpty();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void assertVerifiedOffsite(Offsite o, Manifest m) throws IOException {
    assertThat(
            new VerifyService(o.remote())
                .verify(
                    "ds",
                    o.remote().catalog("ds").find(m.id()).orElseThrow(),
                    ProgressListener.NONE)
                .problems())
        .isEmpty();
  }

  @Test
  void aLocalObjectThatChangesWhileItIsPushedIsRefusedAndItsUploadAborted() throws Exception {
    RedisCommands<String, String> r = redis.sync();
    r.select(8);
    try {
      Random random = new Random(5);
      for (int i = 0; i < 24; i++) {
        byte[] v = new byte[1024 * 1024];
        random.nextBytes(v);
        r.set("big:" + i, java.util.Base64.getEncoder().encodeToString(v));
      }
      Manifest big = backup(Tier.MANUAL);
      assertThat(big.storedSize()).isGreaterThan(2L * S3Repository.PART_SIZE);
      Path object = tmp.resolve("repo").resolve("ds").resolve(big.id()).resolve(big.object());
      assertThat(object).hasSize(big.storedSize());
      byte[] original = Files.readAllBytes(object);
      // One streaming PUT (the default for an object of this size), then a multipart upload, with
      // 4 parts in flight and with 1.
      for (Offsite o : List.of(offsite(), multipartOffsite(), multipartOffsiteOnePartInFlight())) {
        Files.write(object, original);
        AtomicBoolean changed = new AtomicBoolean();
        AtomicLong sent = new AtomicLong();
        // Once a part is on its way, a byte near the end (not read yet) changes on disk: the one
        // pass that uploads also hashes, so the SHA-256 at the end differs from the manifest's.
        ProgressListener changeHalfway =
            new ProgressListener() {
              @Override
              public void begin(String task, long totalBytes) {}

              @Override
              public void advance(long bytes) {
                if (sent.addAndGet(bytes) > S3Repository.PART_SIZE + 1
                    && !changed.getAndSet(true)) {
                  try (java.io.RandomAccessFile f =
                      new java.io.RandomAccessFile(object.toFile(), "rw")) {
                    f.seek(big.storedSize() - 100);
                    int b = f.read();
                    f.seek(big.storedSize() - 100);
                    f.write(b ^ 1);
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                }
              }

              @Override
              public void end() {}
            };

        PushResult result = new PushService(local, o).push("ds", false, changeHalfway);

        assertThat(changed).isTrue();
        assertThat(result.pushed()).isEmpty();
        assertThat(result.refused()).extracting(PushResult.Refused::id).containsExactly(big.id());
        assertThat(result.refused().get(0).reason())
            .contains("fails its checksum")
            .contains("the manifest says " + big.storedSha256())
            // the SHA-256 of what was read, not of nothing (the digest is read once)
            .doesNotContain("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(o.remote().catalog("ds").list()).isEmpty();
        S3Repository repo = (S3Repository) o.remote().repository();
        assertThat(repo.incompleteUploads("ds/"))
            .as("the multipart upload was aborted, not left behind")
            .isEmpty();
        // S3Proxy's filesystem store lists the partial file of a PUT we broke off under the
        // object's name plus a suffix until its request thread has deleted it (a real S3 never
        // lists an unfinished PUT): wait for that, then nothing of the refused backup may be left.
        Await.until(
            Duration.ofSeconds(30),
            "no object of the refused backup",
            () -> {
              try {
                return repo.list("ds/").isEmpty();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
      }
      // intact again, it goes up with one part in flight, 3 parts one after the other
      Files.write(object, original);
      Offsite onePart = multipartOffsiteOnePartInFlight();
      PushResult intact = new PushService(local, onePart).push("ds", false, ProgressListener.NONE);
      assertThat(intact.pushed()).extracting(PushResult.Pushed::id).containsExactly(big.id());
      assertVerifiedOffsite(onePart, big);
    } finally {
      r.flushdb();
      r.select(0);
    }
  }

  @Test
  void backupsTakenDuringAnOutageAllReachS3AfterIt() throws IOException {
    assumeTrue(canStopServer(), "this server cannot be stopped and restarted by the test");
    Offsite o = offsite();
    Manifest before = backup(Tier.HOURLY);
    new PushService(local, o).push("ds", false, ProgressListener.NONE);
    stopServer();
    List<Manifest> during = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        during.add(backup(Tier.HOURLY));
        if (i == 1) {
          continue; // each failed push waits out the SDK's retries: two of them show the point
        }
        assertThatThrownBy(() -> new PushService(local, o).push("ds", false, ProgressListener.NONE))
            .isInstanceOf(RedisOpsException.class)
            .hasMessageContaining("local backups are unaffected")
            .extracting(e -> ((RedisOpsException) e).exitCode())
            .isEqualTo(ExitCode.FAILED);
      }
    } finally {
      startServer();
    }
    PushResult after = new PushService(local, o).push("ds", false, ProgressListener.NONE);
    assertThat(after.pushed())
        .extracting(PushResult.Pushed::id)
        .containsExactlyElementsOf(newestFirst(ids(during)));
    assertThat(ids(o.remote().catalog("ds").list()))
        .containsExactlyElementsOf(ids(local.catalog("ds").list()));
    assertThat(ids(local.catalog("ds").list())).contains(before.id());
  }

  static String sha256(Path p) throws Exception {
    MessageDigest d = Hex.sha256();
    try (InputStream in = Files.newInputStream(p)) {
      in.transferTo(
          new java.security.DigestOutputStream(java.io.OutputStream.nullOutputStream(), d));
    }
    return Hex.of(d.digest());
  }

  static List<String> newestFirst(List<String> ids) {
    List<String> out = new ArrayList<>(ids);
    java.util.Collections.reverse(out);
    return out;
  }

  /** A loopback port nobody listens on (bound, then released). */
  static int unusedPort() throws IOException {
    return FreePorts.next();
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
