package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.redisops.backup.archive.ArchiveStore;
import io.redisops.backup.archive.Segment;
import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.codec.Compression;
import io.redisops.secret.Secret;
import io.redisops.storage.LocalRepository;
import io.redisops.storage.s3.S3Repository;
import io.redisops.storage.s3.S3Settings;
import io.redisops.testkit.Await;
import io.redisops.testkit.ProcessRegistry;
import io.redisops.testkit.RedisServer;
import io.redisops.testkit.S3ProxyExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's point-in-time archive when processes die, with the real daemon process (the built
 * jar), one master with a 16 KiB replication backlog, the embedded S3Proxy as the off-site store
 * and a writer that records the time of each acknowledged write in the data:
 *
 * <ol>
 *   <li>kill -9 of the daemon while its archiver streams: every listed segment's content is there
 *       and verifies; a restarted daemon continues the same timeline without a gap while the
 *       backlog holds what it missed, and records a gap (a new timeline from a new base) after more
 *       than the backlog was written while it was down;
 *   <li>loss of the host: the master and the daemon killed, the data directory and the local
 *       repository deleted, then {@code restore --from offsite --at now} onto a fresh empty server:
 *       no acknowledged write is missing before the last one restored (no hole), and what is
 *       missing is only the end, printed as seconds of writing (a figure, not asserted).
 * </ol>
 *
 * No push is run by hand: the new base of each timeline reaches the off-site store through the
 * daemon's off-site job as soon as it is stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArchiveHostLossCliIT {
  private static final String DATASET = "ds";
  private static final String BUCKET = "pitr";
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();

  private Path tmp;

  private RedisServer master;
  private Path repo;
  private Path daemonConfig;
  private ArchiveStore local;
  private RedisOpsProcess.Background daemon;
  private Writer writer;

  @BeforeAll
  void setUp(@TempDir Path dir) throws IOException {
    tmp = dir;
    s3.createBucket(BUCKET);
    master =
        RedisServer.builder()
            .dir(tmp.resolve("master"))
            .config("repl-backlog-size", "16kb")
            .config("repl-diskless-sync-delay", "0")
            .start();
    repo = tmp.resolve("repo");
    daemonConfig = tmp.resolve("daemon.yaml");
    Files.writeString(
        daemonConfig,
        String.join(
            "\n",
            "datasets:",
            "  - name: " + DATASET,
            "    redis:",
            "      uri: " + master.uri(),
            "repository:",
            "  path: " + repo,
            offsite(),
            "schedule:",
            "  drill: \"off\"",
            "archive:",
            "  enabled: true",
            "  segment: 200ms",
            ""));
    local = new ArchiveStore(new LocalRepository(repo), Compression.ZSTD);
  }

  @AfterAll
  void tearDown() {
    try {
      if (writer != null) {
        writer.stop();
      }
    } finally {
      try {
        if (daemon != null) {
          daemon.close();
        }
      } finally {
        if (master != null) {
          master.close();
        }
      }
    }
  }

  private String offsite() {
    return String.join(
        "\n",
        "offsite:",
        "  uri: s3://" + BUCKET + "/redis",
        "  endpoint: " + s3.endpoint(),
        "  path-style: true",
        "  credentials: env");
  }

  private RedisOpsProcess.Background startDaemon() {
    daemon =
        RedisOpsProcess.of("-c", daemonConfig.toString(), "daemon")
            .env("REDIS_OPS_S3_ACCESS_KEY_ID", s3.accessKey())
            .env("REDIS_OPS_S3_SECRET_ACCESS_KEY", s3.secretKey())
            .start();
    return daemon;
  }

  @Test
  @Order(1)
  void aKilledDaemonLeavesWholeSegmentsAndItsSuccessorContinuesOrRecordsAGap() throws Exception {
    startDaemon();
    writer = new Writer(master);
    Await.until(
        WAIT, "the archiver sealing segments under the writer", () -> segments().size() >= 5);

    // 1. kill -9 mid-stream, the writer running
    daemon.kill9();
    writer.pause();
    List<Segment> listed = segments();
    assertThat(listed).isNotEmpty();
    for (Segment s : listed) {
      assertThat(contentOf(s)).as("segment %s is whole and verifies", s.id()).isPositive();
    }
    ArchiveStore.Position end = local.lastPosition(DATASET).orElseThrow();
    List<String> timelines = local.timelines(DATASET);

    // 2. restarted while the backlog still holds what was missed: the same timeline goes on
    awaitNoReplica();
    startDaemon();
    awaitArchiverAttached();
    writer.resume();
    Await.until(
        WAIT,
        "a segment continuing " + end.timeline() + " at offset " + end.offset(),
        () ->
            segments().stream()
                .anyMatch(
                    s -> s.timeline().equals(end.timeline()) && s.startOffset() == end.offset()));
    assertThat(local.timelines(DATASET)).isEqualTo(timelines);
    assertContiguous(segments().stream().filter(s -> s.timeline().equals(end.timeline())).toList());

    // 3. killed again, and more than the 16 KiB backlog written while it is down: a gap
    daemon.kill9();
    writer.pause();
    awaitNoReplica();
    ArchiveStore.Position last = local.lastPosition(DATASET).orElseThrow();
    try (RedisClient c = RedisClient.create(master.uri());
        StatefulRedisConnection<String, String> conn = c.connect()) {
      String big = "x".repeat(4096);
      for (int i = 0; i < 20; i++) {
        conn.sync().set("overflow:" + i, big); // 80 KiB
      }
    }
    startDaemon();
    Await.until(WAIT, "a new timeline after the gap", () -> timelineCount() > timelines.size());
    writer.resume();
    List<String> after = local.timelines(DATASET);
    ArchiveStore.TimelineRecord t = local.timeline(DATASET, after.get(after.size() - 1));
    assertThat(t.gap()).as("the gap is recorded").isNotNull();
    assertThat(t.gap().fromOffset()).isEqualTo(last.offset());
    assertThat(t.after()).isEqualTo(last.timeline());
    assertThat(t.base()).isNotNull();
    // the daemon stays up, streaming the new timeline, for the loss of the host
  }

  @Test
  @Order(2)
  void afterLosingTheHostTheOffsiteArchiveRestoresToItsEndWithoutHoles() throws Exception {
    if (daemon == null || !daemon.isAlive()) {
      startDaemon();
    }
    if (writer == null) {
      writer = new Writer(master);
    }
    writer.resume();
    String timeline =
        Await.value(
            WAIT,
            "a timeline of the local archive",
            () -> {
              List<String> names = io(() -> local.timelines(DATASET));
              return names.isEmpty() ? null : names.get(names.size() - 1);
            });
    String base = local.timeline(DATASET, timeline).base();
    int acked = writer.acked();
    try (S3Repository remoteRepo = remote()) {
      ArchiveStore remote = new ArchiveStore(remoteRepo, Compression.ZSTD);
      BackupCatalog remoteBackups = new BackupCatalog(remoteRepo, DATASET);
      // nobody pushes by hand: the base went off-site when the archiver stored it
      Await.until(
          WAIT,
          "base " + base + " of timeline " + timeline + " off-site",
          () -> io(() -> remoteBackups.find(base)).isPresent());
      Await.until(
          WAIT,
          "off-site segments of " + timeline + " holding writes of the writer",
          () ->
              io(() -> remote.segments(DATASET)).stream()
                      .filter(s -> s.timeline().equals(timeline))
                      .count()
                  >= 3);
    }
    Await.until(WAIT, "more acknowledged writes", () -> writer.acked() >= acked + 200);

    // the host is lost: the daemon and the master die at once, the disk with them
    daemon.kill9();
    master.kill9();
    List<Writer.Ack> acks = writer.stop();
    // where each archive ended (for the printed figure only): the local one is lost with the host
    Instant localEnd = lastSeal(segments());
    Instant remoteEnd;
    try (S3Repository remoteRepo = remote()) {
      remoteEnd = lastSeal(new ArchiveStore(remoteRepo, Compression.ZSTD).segments(DATASET));
    }
    deleteTree(master.dir());
    deleteTree(repo);

    Path dir = tmp.resolve("fresh");
    try (RedisServer fresh =
        RedisServer.builder()
            .dir(dir)
            .config("pidfile", "\"" + dir.resolve("redis.pid") + "\"")
            .start()) {
      try {
        Path config = tmp.resolve("restore.yaml");
        Files.writeString(
            config,
            String.join(
                "\n",
                "datasets:",
                "  - name: " + DATASET,
                "    redis:",
                "      uri: " + fresh.uri(),
                "repository:",
                "  path: " + tmp.resolve("new-repo"),
                offsite(),
                ""));
        RedisOpsProcess.Result r =
            RedisOpsProcess.of(
                    "-c",
                    config.toString(),
                    "--json",
                    "restore",
                    "--from",
                    "offsite",
                    "--at",
                    "now",
                    "--yes")
                .env("REDIS_OPS_S3_ACCESS_KEY_ID", s3.accessKey())
                .env("REDIS_OPS_S3_SECRET_ACCESS_KEY", s3.secretKey())
                .run(Duration.ofMinutes(3));
        ProcessHandle.of(Long.parseLong(Files.readString(dir.resolve("redis.pid")).strip()))
            .ifPresent(ProcessRegistry::register);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        JsonNode pit = JSON.readTree(r.stdout()).path("point_in_time");
        assertThat(pit.path("archive").asText()).as(r.describe()).isEqualTo("offsite");
        assertThat(pit.path("archive_end").asBoolean()).isTrue();
        assertThat(pit.path("timeline").asText()).isEqualTo(timeline);

        TreeMap<Long, String> present = new TreeMap<>();
        try (RedisClient c = RedisClient.create(fresh.uri());
            StatefulRedisConnection<String, String> conn = c.connect()) {
          for (String k : conn.sync().keys("w:*")) {
            present.put(Long.parseLong(k.substring(2)), conn.sync().get(k));
          }
        }
        assertThat(present).as("acknowledged writes restored").isNotEmpty();
        long newest = present.lastKey();
        assertThat(pit.path("last_command").asText()).isEqualTo("SET w:" + newest);
        List<Long> holes = new ArrayList<>();
        long missing = 0;
        Map<Long, Writer.Ack> byN = new HashMap<>();
        for (Writer.Ack a : acks) {
          byN.put(a.n(), a);
          if (!present.containsKey(a.n())) {
            missing++;
            if (a.n() < newest) {
              holes.add(a.n());
            }
          } else {
            assertThat(present.get(a.n())).isEqualTo(Long.toString(a.sentMillis()));
          }
        }
        assertThat(holes).as("acknowledged writes missing before the last restored one").isEmpty();
        assertThat(acks).as("every restored write was acknowledged").isNotEmpty();
        Writer.Ack lastAck = acks.get(acks.size() - 1);
        assertThat(newest).isLessThanOrEqualTo(lastAck.n());
        double seconds = (lastAck.ackedMillis() - byN.get(newest).ackedMillis()) / 1000.0;
        System.out.printf(
            "HOST LOSS: %d acknowledged writes, %d restored, %d missing at the end: %.3f s of"
                + " writing (archive.segment 200ms; the archive's last command %s at %s); acknowledged"
                + " after the local archive's last seal: %d, after the off-site one's: %d%n",
            acks.size(),
            present.size(),
            missing,
            seconds,
            pit.path("last_command").asText(),
            pit.path("last_command_time").asText(),
            ackedAfter(acks, localEnd),
            ackedAfter(acks, remoteEnd));
      } finally {
        ProcessRegistry.stopByPidFile(dir.resolve("redis.pid"));
      }
    }
  }

  // ---- helpers ----

  private static Instant lastSeal(List<Segment> segments) {
    return segments.stream().map(Segment::sealedAt).max(Comparator.naturalOrder()).orElseThrow();
  }

  private static long ackedAfter(List<Writer.Ack> acks, Instant seal) {
    return acks.stream().filter(a -> a.ackedMillis() > seal.toEpochMilli()).count();
  }

  private int timelineCount() {
    return io(() -> local.timelines(DATASET)).size();
  }

  private List<Segment> segments() {
    return io(() -> local.segments(DATASET));
  }

  /** Reads a listed segment to its end (the reader checks its SHA-256); its size. */
  private long contentOf(Segment s) throws IOException {
    try (InputStream in = local.open(s)) {
      return in.transferTo(OutputStream.nullOutputStream());
    }
  }

  private static void assertContiguous(List<Segment> line) {
    List<Segment> sorted =
        line.stream().sorted(Comparator.comparingLong(Segment::startOffset)).toList();
    for (int i = 1; i < sorted.size(); i++) {
      assertThat(sorted.get(i).startOffset())
          .as("segment %s follows %s", sorted.get(i).id(), sorted.get(i - 1).id())
          .isEqualTo(sorted.get(i - 1).endOffset());
    }
  }

  /** Until the master has let go of the killed archiver's connection. */
  private void awaitNoReplica() {
    Await.until(
        WAIT,
        "the master without replica",
        () -> master.sync().info("replication").contains("connected_slaves:0"));
  }

  /** Until the master lists an online replica again (the archiver of the restarted daemon). */
  private void awaitArchiverAttached() {
    Await.until(
        WAIT,
        "the restarted archiver attached to the master",
        () -> {
          String info = master.sync().info("replication");
          return info.contains("connected_slaves:1") && info.contains("state=online");
        });
  }

  private S3Repository remote() {
    return new S3Repository(
        new S3Settings(
            BUCKET,
            "redis",
            Optional.of(s3.endpoint()),
            s3.region(),
            true,
            new S3Settings.Credentials.AccessKey(s3.accessKey(), Secret.of(s3.secretKey()), "test"),
            "STANDARD",
            "none",
            Optional.empty(),
            true),
        Duration.ofSeconds(2));
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @FunctionalInterface
  private interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static <T> T io(IoSupplier<T> s) {
    try {
      return s.get();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One connection writing {@code SET w:<n> <epoch ms when sent>} in order, paced like an
   * application; it records when each write was acknowledged and stops at the first error (the
   * master gone).
   */
  static final class Writer {
    record Ack(long n, long sentMillis, long ackedMillis) {}

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> conn;
    private final List<Ack> acks = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean paused;
    private volatile boolean idle;
    private final java.util.concurrent.atomic.AtomicLong turns =
        new java.util.concurrent.atomic.AtomicLong();

    Writer(RedisServer server) {
      client = RedisClient.create();
      client.setOptions(ClientOptions.builder().autoReconnect(false).build());
      conn =
          client.connect(
              RedisURI.Builder.redis(server.host(), server.port())
                  .withTimeout(Duration.ofSeconds(5))
                  .build());
      thread = new Thread(this::loop, "host-loss-writer");
      thread.setDaemon(true);
      thread.start();
    }

    private void loop() {
      long n = 0;
      while (running) {
        turns.incrementAndGet();
        if (paused) {
          idle = true;
          pace();
          continue;
        }
        idle = false;
        long sent = System.currentTimeMillis();
        try {
          conn.sync().set("w:" + n, Long.toString(sent));
        } catch (RuntimeException e) {
          break; // the master is gone
        }
        long acked = System.currentTimeMillis();
        synchronized (this) {
          acks.add(new Ack(n, sent, acked));
        }
        n++;
        pace();
      }
      idle = true;
    }

    private static void pace() {
      try {
        Thread.sleep(3);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Stops writing and waits until no write is under way. */
    void pause() {
      paused = true;
      long seen = turns.get();
      // a turn that began after the flag was set saw it: no write is under way after that
      Await.until(
          Duration.ofSeconds(30),
          "the writer paused",
          () -> (turns.get() > seen + 1 && idle) || !thread.isAlive());
    }

    void resume() {
      paused = false;
    }

    synchronized int acked() {
      return acks.size();
    }

    /** Ends the writer; every acknowledged write, in order. */
    List<Ack> stop() {
      running = false;
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      conn.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      synchronized (this) {
        return List.copyOf(acks);
      }
    }
  }
}
