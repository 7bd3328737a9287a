package io.redisops.backup.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.backup.codec.Compression;
import io.redisops.backup.crypto.DecryptionException;
import io.redisops.backup.crypto.EncryptionKey;
import io.redisops.backup.crypto.ObjectEncryption;
import io.redisops.backup.fixtures.ArchiveFixture;
import io.redisops.secret.Secret;
import io.redisops.storage.ForwardingRepository;
import io.redisops.storage.LocalRepository;
import io.redisops.storage.Repository;
import io.redisops.storage.StoredObject;
import io.redisops.storage.s3.S3Repository;
import io.redisops.storage.s3.S3Settings;
import io.redisops.testkit.Await;
import io.redisops.testkit.S3ProxyExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ArchivePusher} against the embedded S3Proxy: segments sealed in a local repository appear
 * off-site (encrypted), read back through an {@link ArchiveStore} on the off-site repository; a
 * pusher started later catches up what is missing; an interrupted push (content without a record)
 * is never listed and is cleaned up.
 */
class ArchivePusherIT {
  private static final String DATASET = "pitr";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AtomicInteger BUCKETS = new AtomicInteger();

  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();

  @TempDir Path dir;

  private S3Repository remoteRepo;
  private ArchiveStore local;
  private ArchiveStore remote;
  private EncryptionKey key;
  private final List<Thread> threads = new ArrayList<>();
  private final List<ArchivePusher> pushers = new ArrayList<>();

  @BeforeEach
  void setUp() {
    String bucket = "archive-" + BUCKETS.incrementAndGet();
    s3.createBucket(bucket);
    remoteRepo =
        new S3Repository(
            new S3Settings(
                bucket,
                "offsite",
                Optional.of(s3.endpoint()),
                s3.region(),
                true,
                new S3Settings.Credentials.AccessKey(
                    s3.accessKey(), Secret.of(s3.secretKey()), "test"),
                "STANDARD",
                "none",
                Optional.empty(),
                true),
            Duration.ofSeconds(2));
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    key = EncryptionKey.of(k);
    local = new ArchiveStore(new LocalRepository(dir.resolve("repo")), Compression.ZSTD);
    remote = new ArchiveStore(remoteRepo, Compression.ZSTD, new ObjectEncryption(Optional.of(key)));
  }

  @AfterEach
  void tearDown() throws Exception {
    pushers.forEach(ArchivePusher::stop);
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(t.isAlive()).as("pusher thread stopped").isFalse();
    }
    remoteRepo.close();
  }

  private ArchivePusher start() {
    ArchivePusher p = new ArchivePusher(DATASET, local, remote, Clock.systemUTC());
    Thread t = new Thread(p, "archive-push-it");
    t.setDaemon(true);
    pushers.add(p);
    threads.add(t);
    t.start();
    return p;
  }

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  /** Seals segment {@code i} (content "SET k<i> v<i>" with a #TS line) after {@code prev}. */
  private ArchiveStore.SegmentRecord seal(String timeline, long start, int i) throws IOException {
    byte[] content =
        ("#TS:"
                + (T0.getEpochSecond() + i)
                + "\r\n*3\r\n$3\r\nSET\r\n$2\r\nk"
                + i
                + "\r\n$2\r\nv"
                + i
                + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    int stream = content.length - ("#TS:" + (T0.getEpochSecond() + i) + "\r\n").length();
    Instant at = T0.plusSeconds(i);
    return local.seal(
        DATASET, timeline, "r1", start, start + stream, 0, 0, at, at, at, content, content.length);
  }

  private List<ArchiveStore.SegmentRecord> awaitRemote(int count, Instant newest) {
    return Await.value(
        WAIT,
        count + " segments off-site, the newest sealed at " + newest,
        () -> {
          try {
            List<ArchiveStore.SegmentRecord> r = remote.records(DATASET);
            return r.size() == count && r.get(count - 1).sealedAt().equals(newest) ? r : null;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private static String read(ArchiveReader reader, Segment s) throws IOException {
    try (InputStream in = reader.open(s)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  @Test
  void sealedSegmentsAppearOffsiteEncryptedAndReadBack() throws Exception {
    String tl = local.startTimeline(DATASET, "r1", 100, 0, T0, "base-1", null, null).timeline();
    ArchivePusher pusher = start();
    List<ArchiveStore.SegmentRecord> sealed = new ArrayList<>();
    long offset = 100;
    for (int i = 1; i <= 3; i++) {
      ArchiveStore.SegmentRecord r = seal(tl, offset, i);
      offset = r.endOffset();
      sealed.add(r);
      pusher.submit(r);
    }
    List<ArchiveStore.SegmentRecord> there = awaitRemote(3, sealed.get(2).sealedAt());

    // Same layout, the timeline first; the content encrypted, the record says with which key.
    assertThat(remote.timelines(DATASET)).containsExactly(tl);
    assertThat(remote.timeline(DATASET, tl).base()).isEqualTo("base-1");
    for (ArchiveStore.SegmentRecord r : there) {
      assertThat(r.encryption()).isEqualTo(EncryptionKey.ALGORITHM);
      assertThat(r.encryptionKeyId()).isEqualTo(key.id());
      assertThat(r.object()).endsWith(".aof.zst.enc");
    }
    List<String> keys =
        remoteRepo.list(ArchiveStore.ROOT + "/").stream().map(StoredObject::key).toList();
    assertThat(keys).noneMatch(k -> k.endsWith(".aof.zst")); // nothing stored in clear

    // Read back through an ArchiveStore on the off-site repository: decrypted, checked.
    List<Segment> segments = remote.segments(DATASET);
    assertThat(segments).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(read(remote, segments.get(i))).isEqualTo(read(local, sealed.get(i).segment()));
      assertThat(read(remote, segments.get(i))).contains("k" + (i + 1));
    }
    // Without the key, or with another, an encrypted segment is refused (not read as garbage).
    ArchiveStore noKey = new ArchiveStore(remoteRepo, Compression.ZSTD);
    assertThatThrownBy(() -> read(noKey, segments.get(0)))
        .isInstanceOf(DecryptionException.class)
        .hasMessageContaining("offsite.encryption-key-file");
    // the pusher notes what it pushed just after writing the record the listing shows
    Await.until(WAIT, "no off-site lag", () -> Duration.ZERO.equals(pusher.lag()));

    // A record whose sealed_at moved on (nothing new arrived): only the record is written again.
    ArchiveStore.SegmentRecord touched = local.touch(sealed.get(2), T0.plusSeconds(10));
    pusher.submit(touched);
    awaitRemote(3, T0.plusSeconds(10));
    // the pusher notes what it pushed just after writing the record the listing shows
    Await.until(WAIT, "no off-site lag", () -> Duration.ZERO.equals(pusher.lag()));
    assertThat(read(remote, remote.segments(DATASET).get(2))).contains("k3");
  }

  /**
   * A segment sealed while the pusher compares the listings (between its listing of the local
   * records and its look at the newest one) is still pushed whole: its content is copied, not taken
   * for one already off-site. Made certain by sealing it from inside the local listing.
   */
  @Test
  void aSegmentSealedDuringTheCatchUpIsPushedWithItsContent() throws Exception {
    AtomicBoolean armed = new AtomicBoolean();
    List<ArchivePusher> started = new ArrayList<>();
    List<ArchiveStore.SegmentRecord> sealed = new CopyOnWriteArrayList<>();
    Repository localRepo = new LocalRepository(dir.resolve("repo-race"));
    Repository hooked =
        new ForwardingRepository(localRepo) {
          @Override
          public List<StoredObject> list(String prefix) throws IOException {
            List<StoredObject> listed = super.list(prefix);
            if (armed.compareAndSet(true, false)) {
              // the archiver seals (and submits) right after the pusher listed the records
              ArchiveStore.SegmentRecord r =
                  seal(sealed.get(1).timeline(), sealed.get(1).endOffset(), 3);
              sealed.add(r);
              started.get(0).submit(r);
            }
            return listed;
          }
        };
    local = new ArchiveStore(hooked, Compression.ZSTD);
    String tl = local.startTimeline(DATASET, "r1", 100, 0, T0, null, null, null).timeline();
    sealed.add(seal(tl, 100, 1));
    sealed.add(seal(tl, sealed.get(0).endOffset(), 2));
    armed.set(true); // the pusher's first local listing is that of its catch-up
    started.add(start());
    Await.until(WAIT, "the pusher's catch-up to list the local records", () -> sealed.size() == 3);

    awaitRemote(3, sealed.get(2).sealedAt());
    List<Segment> segments = remote.segments(DATASET);
    assertThat(segments).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(read(remote, segments.get(i))).contains("k" + (i + 1));
    }
  }

  @Test
  void aPusherStartedLaterCatchesUpAndAnInterruptedPushIsNeverListed() throws Exception {
    String tl = local.startTimeline(DATASET, "r1", 0, 0, T0, null, null, null).timeline();
    long offset = 0;
    ArchiveStore.SegmentRecord last = null;
    for (int i = 1; i <= 4; i++) {
      last = seal(tl, offset, i);
      offset = last.endOffset();
    }
    // An interrupted push: the content of segment 5 off-site, its record never written.
    ArchiveStore.SegmentRecord fifth = seal(tl, offset, 5);
    byte[] timeline;
    try (InputStream in = local.repository().read(ArchiveStore.timelineKey(DATASET, tl))) {
      timeline = in.readAllBytes();
    }
    remoteRepo.write(ArchiveStore.timelineKey(DATASET, tl), out -> out.write(timeline));
    remoteRepo.write(
        ArchiveStore.contentKey(fifth) + ".enc", out -> out.write(new byte[] {1, 2, 3}));
    assertThat(remote.records(DATASET)).isEmpty(); // not listed: no record

    // Nothing submitted: the pusher finds the five local records missing off-site by itself.
    ArchivePusher pusher = start();
    List<ArchiveStore.SegmentRecord> there = awaitRemote(5, fifth.sealedAt());
    assertThat(there.stream().map(ArchiveStore.SegmentRecord::id))
        .containsExactlyElementsOf(
            local.records(DATASET).stream().map(ArchiveStore.SegmentRecord::id).toList());
    for (Segment s : remote.segments(DATASET)) {
      assertThat(read(remote, s)).isEqualTo(read(local, s));
    }
    // the pusher notes what it pushed just after writing the record the listing shows
    Await.until(WAIT, "no off-site lag", () -> Duration.ZERO.equals(pusher.lag()));
    assertThat(last).isNotNull();
  }

  /**
   * Compaction reaches the off-site archive by push: the merged segment is uploaded encrypted,
   * listed, then its parts are removed off-site; at every delete the off-site archive still covers
   * everything it covered before. Parts queued for the pusher after the local compaction removed
   * them are dropped, not pushed.
   */
  @Test
  void aMergedSegmentReplacesItsPartsOffsiteEncryptedWithoutAHole() throws Exception {
    List<String> holes = new CopyOnWriteArrayList<>();
    long[] mustCover = new long[2];
    ArchiveStore checker =
        new ArchiveStore(remoteRepo, Compression.ZSTD, new ObjectEncryption(Optional.of(key)));
    Repository watched =
        new ForwardingRepository(remoteRepo) {
          @Override
          public void delete(String k) throws IOException {
            List<Segment> there = checker.segments(DATASET);
            long reach = -1;
            for (Segment x : there) {
              if (reach >= 0 && x.startOffset() > reach) {
                holes.add("hole at " + reach + " before deleting " + k);
              }
              reach = Math.max(reach, x.endOffset());
            }
            if (there.isEmpty()
                || there.get(0).startOffset() > mustCover[0]
                || reach < mustCover[1]) {
              holes.add("coverage lost before deleting " + k + ": " + there);
            }
            super.delete(k);
          }
        };
    remote = new ArchiveStore(watched, Compression.ZSTD, new ObjectEncryption(Optional.of(key)));
    String tl = local.startTimeline(DATASET, "r1", 100, 0, T0, "base-1", null, null).timeline();
    ArchivePusher pusher = start();
    List<ArchiveStore.SegmentRecord> parts = new ArrayList<>();
    long offset = 100;
    for (int i = 1; i <= 4; i++) {
      ArchiveStore.SegmentRecord r = seal(tl, offset, i);
      offset = r.endOffset();
      parts.add(r);
      pusher.submit(r);
    }
    awaitRemote(4, parts.get(3).sealedAt());
    mustCover[0] = parts.get(0).startOffset();
    mustCover[1] = parts.get(3).endOffset();
    // two more of the same 10-minute span and one of the next, not yet pushed
    for (int i = 5; i <= 6; i++) {
      ArchiveStore.SegmentRecord r = seal(tl, offset, i);
      offset = r.endOffset();
      parts.add(r);
    }
    ArchiveStore.SegmentRecord last = seal(tl, offset, 700);
    byte[] stream = ArchiveFixture.stream(local, local.segments(DATASET));

    ArchiveCompactor.Result c =
        new ArchiveCompactor(local)
            .compact(DATASET, T0.plus(Duration.ofMinutes(20)), Duration.ZERO);
    assertThat(c.merged()).hasSize(1);
    ArchiveStore.SegmentRecord merged = c.merged().get(0);
    assertThat(merged.parts()).isEqualTo(6);
    // queued after the compaction removed them locally: dropped; then the merged one and the last
    pusher.submit(parts.get(4));
    pusher.submit(parts.get(5));
    pusher.submit(merged);
    pusher.submit(last);

    List<String> objects =
        Await.value(
            WAIT,
            "the merged segment and the last one alone off-site",
            () -> {
              try {
                List<String> keys =
                    remoteRepo.list(ArchiveStore.ROOT + "/").stream()
                        .map(StoredObject::key)
                        .toList();
                return keys.size() == 5 ? keys : null;
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    assertThat(objects)
        .contains(
            ArchiveStore.recordKey(merged),
            ArchiveStore.contentKey(merged) + ObjectEncryption.SUFFIX,
            ArchiveStore.recordKey(last))
        .noneMatch(k -> k.endsWith(".aof.zst"));
    List<ArchiveStore.SegmentRecord> there = remote.records(DATASET);
    assertThat(there)
        .extracting(ArchiveStore.SegmentRecord::id)
        .containsExactly(merged.id(), last.id());
    assertThat(there.get(0).encryption()).isEqualTo(EncryptionKey.ALGORITHM);
    assertThat(there.get(0).parts()).isEqualTo(6);
    assertThat(ArchiveFixture.stream(remote, remote.segments(DATASET))).isEqualTo(stream);
    assertThat(holes).isEmpty();
  }
}
