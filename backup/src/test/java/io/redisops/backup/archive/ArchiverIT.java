package io.redisops.backup.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.fixtures.TestArchivers;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.BackupService;
import io.redisops.redis.RedisEndpoint;
import io.redisops.storage.ForwardingRepository;
import io.redisops.storage.LocalRepository;
import io.redisops.storage.Repository;
import io.redisops.storage.StoredObject;
import io.redisops.testkit.Await;
import io.redisops.testkit.RedisServerExtension;
import io.redisops.testkit.ServerBuild;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archiver against a real redis-server, one server and one archive for the class, in order: a
 * first start (full resynchronisation: a base, a timeline), writes into segments, WAIT, an
 * interrupted seal and a restart without a gap, then a restart after more than the backlog holds (a
 * gap).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArchiverIT {
  private static final String DATASET = "pitr";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Pattern TS = Pattern.compile("#TS:\\d+\r\n");

  /** Debian's Redis 7.0; {@code -Darchiver.server=redis-8.6} runs the class on a built server. */
  private static final ServerBuild SERVER =
      ServerBuild.require(System.getProperty("archiver.server", ServerBuild.DEBIAN.name()));

  @RegisterExtension
  static final RedisServerExtension redis =
      RedisServerExtension.builder()
          .server(SERVER)
          .config("repl-diskless-sync", "yes")
          .config("repl-diskless-sync-delay", "0")
          .config("repl-backlog-size", "16kb")
          .build();

  @TempDir static Path dir;

  private Thread thread;
  private Archiver archiver;

  @AfterEach
  void stopArchiver() throws InterruptedException {
    stop();
  }

  private static LocalRepository repository() {
    return new LocalRepository(dir.resolve("repo"));
  }

  private void start(Repository repo) {
    BackupContext context = TestBackupContext.of(repo, dir.resolve("repo")).build();
    BackupService service = BackupService.standard(context);
    RedisEndpoint ep = RedisEndpoint.parse(redis.uri());
    archiver =
        TestArchivers.of(
            DATASET, () -> ep, new ArchiveStore(repo, context.compression()), context, service);
    thread = new Thread(archiver, "archiver-it");
    thread.start();
  }

  private void stop() throws InterruptedException {
    if (archiver != null) {
      archiver.stop();
      thread.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(thread.isAlive()).as("archiver thread stopped").isFalse();
      archiver = null;
    }
  }

  private static ArchiveStore store() {
    return new ArchiveStore(repository(), io.redisops.backup.codec.Compression.ZSTD);
  }

  private static long masterOffset() {
    return Long.parseLong(redis.info("replication", "master_repl_offset"));
  }

  /** Waits until the archive's newest segment ends at the master's current offset. */
  private static List<Segment> awaitCovered() {
    long target = masterOffset();
    return Await.value(
        WAIT,
        "the archive to reach offset " + target,
        () -> {
          try {
            List<Segment> s = store().segments(DATASET);
            return !s.isEmpty() && s.get(s.size() - 1).endOffset() >= target ? s : null;
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  private static String content(Segment s) throws IOException {
    try (InputStream in = store().open(s)) {
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** Segments of each timeline follow each other; stream bytes (without #TS lines) = offsets. */
  private static void assertContiguousAndExact(List<Segment> segments) throws IOException {
    Segment previous = null;
    for (Segment s : segments) {
      String c = content(s);
      assertThat(c).startsWith("#TS:");
      assertThat((long) TS.matcher(c).replaceAll("").length())
          .as("stream bytes of %s", s.id())
          .isEqualTo(s.endOffset() - s.startOffset());
      if (previous != null && previous.timeline().equals(s.timeline())) {
        assertThat(s.startOffset()).as("start of %s", s.id()).isEqualTo(previous.endOffset());
      }
      previous = s;
    }
  }

  private static String all(List<Segment> segments) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (Segment s : segments) {
      sb.append(content(s));
    }
    return sb.toString();
  }

  private static String setCommand(String key, String value) {
    return "*3\r\n$3\r\nSET\r\n$"
        + key.length()
        + "\r\n"
        + key
        + "\r\n$"
        + value.length()
        + "\r\n"
        + value
        + "\r\n";
  }

  @Test
  @Order(1)
  void aFirstStartStoresABaseAndArchivesTheWritesThatFollow() throws Exception {
    redis.sync().set("before", "base");
    long keysInBase = redis.sync().dbsize();
    start(repository());
    Await.until(
        WAIT,
        "the archiver streaming after its base",
        () -> archiver.status().state() == ArchiverStatus.State.STREAMING);
    for (int i = 0; i < 50; i++) {
      redis.sync().set("k" + i, "v" + i);
    }

    List<Segment> segments = awaitCovered();

    List<Manifest> backups = new BackupCatalog(repository(), DATASET).list();
    assertThat(backups).hasSize(1);
    Manifest base = backups.get(0);
    assertThat(base.stream()).isNotNull();
    assertThat(base.totalKeys()).isEqualTo(keysInBase);
    ArchiveStore.TimelineRecord t = store().timeline(DATASET, segments.get(0).timeline());
    assertThat(t.base()).isEqualTo(base.id());
    assertThat(t.gap()).isNull();
    assertThat(t.startOffset()).isEqualTo(base.stream().offset());
    assertThat(segments.get(0).startOffset()).isEqualTo(base.stream().offset());
    assertContiguousAndExact(segments);
    String stream = all(segments);
    for (int i = 0; i < 50; i++) {
      assertThat(stream).contains(setCommand("k" + i, "v" + i));
    }
    assertThat(stream).doesNotContain(setCommand("before", "base"));
  }

  @Test
  @Order(2)
  void redisCheckAofAcceptsTheArchivedStream() throws Exception {
    List<Segment> segments = store().segments(DATASET);
    Path aof = dir.resolve("archived.aof");
    Files.writeString(aof, all(segments), StandardCharsets.ISO_8859_1);
    Path single = dir.resolve("one-segment.aof");
    Files.writeString(
        single, content(segments.get(segments.size() - 1)), StandardCharsets.ISO_8859_1);

    for (Path p : List.of(aof, single)) {
      Process check =
          new ProcessBuilder(
                  SERVER
                      .executable(SERVER.isValkey() ? "valkey-check-aof" : "redis-check-aof")
                      .toString(),
                  p.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(check.exitValue()).as(out).isZero();
      assertThat(out).contains("is valid");
    }
  }

  @Test
  @Order(3)
  void waitCountsTheArchiverOnlyOnceTheWriteIsSealed() throws Exception {
    start(repository());
    awaitCovered();
    redis.sync().set("acked", "1");
    long written = masterOffset();

    Long acked = redis.sync().waitForReplication(1, 10_000);

    List<Segment> sealed = store().segments(DATASET);
    assertThat(acked).isEqualTo(1L);
    assertThat(sealed.get(sealed.size() - 1).endOffset()).isGreaterThanOrEqualTo(written);
  }

  @Test
  @Order(4)
  void anInterruptedSealListsNothingAndARestartContinuesWithoutAGap() throws Exception {
    CrashingRepository crashing = new CrashingRepository(repository());
    start(crashing);
    awaitCovered();
    int timelines = store().timelines(DATASET).size();
    crashing.crashOnNextRecord = true;
    redis.sync().set("lost-in-memory", "1");
    Await.until(WAIT, "the simulated crash in a seal", () -> crashing.crashed);
    stop(); // the "process" is gone: nothing it held in memory was sealed
    for (int i = 0; i < 20; i++) {
      redis.sync().set("while-down" + i, "x");
    }

    List<StoredObject> orphans = orphans();
    assertThat(orphans).as("content written before the crash, without its record").hasSize(1);
    long orphanStart = Long.parseLong(orphans.get(0).name().substring(0, 19));
    assertThat(store().segments(DATASET)).noneMatch(s -> s.startOffset() == orphanStart);

    start(repository());
    List<Segment> segments = awaitCovered();

    assertThat(orphans()).isEmpty();
    assertThat(store().timelines(DATASET)).hasSize(timelines);
    assertContiguousAndExact(segments);
    String stream = all(segments);
    assertThat(stream).contains(setCommand("lost-in-memory", "1"));
    for (int i = 0; i < 20; i++) {
      assertThat(stream).contains(setCommand("while-down" + i, "x"));
    }
  }

  @Test
  @Order(5)
  void aRestartAfterMoreThanTheBacklogHoldsRecordsAGap() throws Exception {
    start(repository());
    List<Segment> before = awaitCovered();
    stop();
    Segment last = before.get(before.size() - 1);
    String big = "x".repeat(4096);
    for (int i = 0; i < 20; i++) {
      redis.sync().set("overflow" + i, big); // 80 KB, the backlog holds 16 KB
    }

    start(repository());
    // the base holds what came before the resynchronisation; write once the stream flows again
    Await.until(
        WAIT,
        "the archiver streaming on a new timeline",
        () ->
            archiver.status().state() == ArchiverStatus.State.STREAMING
                && !last.timeline().equals(archiver.status().timeline()));
    redis.sync().set("after-gap", "1");
    List<Segment> after = awaitCovered();

    List<String> timelines = store().timelines(DATASET);
    assertThat(timelines).hasSize(2);
    ArchiveStore.TimelineRecord second = store().timeline(DATASET, timelines.get(1));
    assertThat(second.gap()).isNotNull();
    assertThat(second.gap().fromOffset()).isEqualTo(last.endOffset());
    assertThat(second.after()).isEqualTo(timelines.get(0));
    assertThat(second.base()).isNotNull();
    assertThat(new BackupCatalog(repository(), DATASET).find(second.base())).isPresent();
    assertContiguousAndExact(after);
    assertThat(all(after.stream().filter(s -> s.timeline().equals(second.timeline())).toList()))
        .contains(setCommand("after-gap", "1"));
  }

  private static List<StoredObject> orphans() throws IOException {
    List<StoredObject> objects = repository().list(ArchiveStore.ROOT + "/" + DATASET + "/");
    Set<String> records =
        Set.copyOf(
            objects.stream()
                .map(StoredObject::key)
                .filter(k -> k.endsWith(".json"))
                .map(k -> k.substring(0, k.length() - 5))
                .toList());
    List<StoredObject> out = new ArrayList<>();
    for (StoredObject o : objects) {
      if (o.name().contains(".aof")
          && !records.contains(o.key().substring(0, o.key().indexOf(".aof")))) {
        out.add(o);
      }
    }
    return out;
  }

  /**
   * A local repository whose process "dies" on a chosen segment record: that write and every later
   * one fail, as if the archiver had been killed between the content and the record.
   */
  private static final class CrashingRepository extends ForwardingRepository {
    private final LocalRepository local;
    volatile boolean crashOnNextRecord;
    volatile boolean crashed;
    private volatile String lastContent = "";

    CrashingRepository(LocalRepository local) {
      super(local);
      this.local = local;
    }

    @Override
    public StoredObject write(String key, BodyWriter body) throws IOException {
      if (crashed) {
        throw new IOException("simulated crash: the archiver is gone");
      }
      if (key.contains(".aof")) {
        lastContent = key.substring(0, key.indexOf(".aof"));
      }
      // the record that follows a content object (not an idle segment's sealed_at moving on)
      if (crashOnNextRecord && key.equals(lastContent + ".json")) {
        // half of the record reaches the temporary file, as a kill mid-write leaves it
        crashed = true;
        try {
          local.write(
              key,
              out -> {
                ByteArrayOutputStream half = new ByteArrayOutputStream();
                body.writeTo(half);
                out.write(half.toByteArray(), 0, half.size() / 2);
                throw new IOException("simulated crash in the middle of " + key);
              });
        } catch (IOException expected) {
          // the repository dropped the temporary file, as the next start's clean-up would
        }
        throw new IOException("simulated crash: the archiver is gone");
      }
      return local.write(key, body);
    }

    @Override
    public void delete(String key) throws IOException {
      if (crashed) {
        throw new IOException("simulated crash: the archiver is gone");
      }
      local.delete(key);
    }
  }
}
