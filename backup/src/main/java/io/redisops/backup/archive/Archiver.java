package io.redisops.backup.archive;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.snapshot.ReplicationConnection;
import io.redisops.backup.snapshot.ReplicationConnection.PsyncReply;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The point-in-time archiver of one dataset: a replica of its master that keeps the replication
 * stream as sealed segments ({@link ArchiveStore}).
 *
 * <p>It continues the archive's newest timeline ({@code PSYNC <replid> <end+1>}), else the newest
 * backup's stream position. {@code +CONTINUE} goes on without a gap (also on a new master after a
 * failover: it accepts the old id). {@code +FULLRESYNC} brings a snapshot, stored as a backup (the
 * base) through {@link BaseStore}, and starts a new timeline at its offset; when a timeline existed
 * before, the new one records the gap.
 *
 * <p>Commands are appended to the open segment as they arrive, with a {@code #TS:<seconds>} line
 * whenever the receive second changes (and at the start of each segment). The open segment is
 * sealed every {@link Settings#segment()} and when it reaches {@link Settings#segmentBytes()}.
 * {@code REPLCONF ACK} (sent after every seal period, and in answer to {@code REPLCONF GETACK})
 * carries only the sealed offset, so the master's {@code WAIT} and {@code min-replicas-to-write}
 * never count what is still in memory here.
 *
 * <p>A connection that breaks (or a seal that fails) ends the attempt: what was received is sealed
 * when it can be, and the next attempt, {@link Settings#retryMax()} at most later, asks the master
 * (resolved again through the supplier) for the byte after the sealed end.
 */
public final class Archiver implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Archiver.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

  /**
   * How an archiver works.
   *
   * @param segment how often the open segment is sealed
   * @param segmentBytes the content size at which it is sealed at once
   * @param connectTimeout limit for the TCP connection
   * @param readTimeout longest silence of the master tolerated (it sends a PING every {@code
   *     repl-ping-replica-period}, 10 s by default)
   * @param retryMax longest pause between attempts to connect
   * @param lockWait how long a full resynchronisation's base waits for the dataset's lock
   */
  public record Settings(
      Duration segment,
      long segmentBytes,
      Duration connectTimeout,
      Duration readTimeout,
      Duration retryMax,
      Duration lockWait) {

    public static final Duration DEFAULT_SEGMENT = Duration.ofSeconds(1);
    public static final long DEFAULT_SEGMENT_BYTES = 16L * 1024 * 1024;

    public static Settings defaults() {
      return new Settings(
          DEFAULT_SEGMENT,
          DEFAULT_SEGMENT_BYTES,
          Duration.ofSeconds(5),
          Duration.ofSeconds(60),
          Duration.ofSeconds(30),
          Duration.ofMinutes(2));
    }
  }

  /** Stores the snapshot of a full resynchronisation as a backup; returns its manifest. */
  @FunctionalInterface
  public interface BaseStore {
    Manifest store(
        RedisEndpoint master, InputStream rdb, Instant snapshotTime, Manifest.StreamPosition at)
        throws IOException;
  }

  private final String dataset;
  private final Supplier<RedisEndpoint> master;
  private final ArchiveStore store;
  private final BackupCatalog catalog;
  private final BaseStore bases;
  private final Clock clock;
  private final Settings settings;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean stopping;
  private volatile ReplicationConnection current;
  private volatile ArchiverStatus status;

  /** Where the archive ends (what the next PSYNC continues); null until known. */
  private volatile ArchiveStore.Position position;

  private volatile ArchiveStore.SegmentRecord lastRecord;
  private final java.util.concurrent.atomic.AtomicInteger gaps =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile Instant lastSealedAt;
  private volatile java.util.function.Consumer<ArchiveStore.SegmentRecord> sealedListener = r -> {};
  private volatile java.util.function.Consumer<Manifest> baseListener = m -> {};

  public Archiver(
      String dataset,
      Supplier<RedisEndpoint> master,
      ArchiveStore store,
      BackupCatalog catalog,
      BaseStore bases,
      Clock clock,
      Settings settings) {
    this.dataset = dataset;
    this.master = master;
    this.store = store;
    this.catalog = catalog;
    this.bases = bases;
    this.clock = clock;
    this.settings = settings;
    this.status =
        new ArchiverStatus(
            dataset,
            ArchiverStatus.State.STARTING,
            null,
            null,
            null,
            -1,
            -1,
            null,
            null,
            null,
            0,
            settings.segment(),
            null);
  }

  public String dataset() {
    return dataset;
  }

  public ArchiverStatus status() {
    return status;
  }

  /**
   * Hears every record the archiver writes (a sealed segment, or one whose {@code sealed_at} moved
   * on), on the sealing thread: it must not block ({@link ArchivePusher#submit} queues). Set it
   * before {@link #run()}.
   */
  public void onSealed(java.util.function.Consumer<ArchiveStore.SegmentRecord> listener) {
    this.sealedListener = listener;
  }

  /**
   * Hears every base the archiver stores (the snapshot of a full resynchronisation, stored through
   * {@link BaseStore}), once the timeline that continues it is recorded, on the streaming thread:
   * it must not block (the daemon only triggers its off-site push job). Set it before {@link
   * #run()}.
   */
  public void onBaseStored(java.util.function.Consumer<Manifest> listener) {
    this.baseListener = listener;
  }

  /** Asks the archiver to stop: the connection is closed and what was received is sealed. */
  public void stop() {
    stopping = true;
    stopped.countDown();
    ReplicationConnection c = current;
    if (c != null) {
      c.close();
    }
  }

  /** Runs until {@link #stop()}: connects, streams, reconnects. */
  @Override
  public void run() {
    Duration retry = FIRST_RETRY;
    Instant errorSince = null;
    try {
      int leftovers = store.cleanupIncomplete(dataset);
      if (leftovers > 0) {
        log.info("removed {} leftover(s) of interrupted seals of {}'s archive", leftovers, dataset);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("the leftovers of {}'s archive could not be removed: {}", dataset, e.getMessage());
    }
    while (!stopping) {
      Instant began = clock.instant();
      String error;
      try {
        streamOnce();
        error = "the master closed the replication stream";
      } catch (RedisOpsException e) {
        error = e.getMessage();
      } catch (IOException | RuntimeException e) {
        error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      }
      if (stopping) {
        break;
      }
      if (Duration.between(began, clock.instant()).compareTo(settings.retryMax()) > 0) {
        retry = FIRST_RETRY; // it streamed a while: start the backoff over
        errorSince = null;
      }
      if (errorSince == null) {
        errorSince = clock.instant();
      }
      log.warn("archiver of {}: {}; trying again in {} s", dataset, error, retry.toSeconds());
      publish(ArchiverStatus.State.RECONNECTING, null, -1, error, errorSince);
      try {
        if (stopped.await(retry.toMillis(), TimeUnit.MILLISECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      retry =
          retry.multipliedBy(2).compareTo(settings.retryMax()) > 0
              ? settings.retryMax()
              : retry.multipliedBy(2);
    }
    publish(ArchiverStatus.State.STOPPED, null, -1, status.lastError(), null);
  }

  private void publish(
      ArchiverStatus.State state, String server, long received, String error, Instant errorSince) {
    ArchiveStore.Position p = position;
    status =
        new ArchiverStatus(
            dataset,
            state,
            server,
            p == null ? null : p.timeline(),
            p == null ? null : p.replid(),
            received < 0 && p != null ? p.offset() : received,
            p == null ? -1 : p.offset(),
            lastSealedAt,
            error,
            errorSince,
            gaps.get(),
            settings.segment(),
            null);
  }

  /** Where to continue: the archive's end, else the newest backup's stream position. */
  private record Start(ArchiveStore.Position position, String baseId) {}

  private Start start() throws IOException {
    if (position != null) {
      return new Start(position, null);
    }
    Optional<ArchiveStore.Position> end = store.lastPosition(dataset);
    if (end.isPresent()) {
      position = end.get();
      lastRecord = store.lastOf(dataset, position.timeline()).orElse(null);
      lastSealedAt = lastRecord == null ? null : lastRecord.sealedAt();
      return new Start(position, null);
    }
    for (Manifest m : catalog.list()) {
      if (m.stream() != null) {
        return new Start(
            new ArchiveStore.Position(
                null, m.stream().replid(), m.stream().offset(), m.stream().db()),
            m.id());
      }
    }
    return new Start(null, null);
  }

  private void streamOnce() throws IOException {
    RedisEndpoint ep = master.get();
    Start start = start();
    ReplicationConnection conn =
        ReplicationConnection.open(ep, settings.connectTimeout(), settings.readTimeout());
    current = conn;
    ScheduledExecutorService sealer = null;
    Session session = null;
    try {
      if (stopping) {
        return;
      }
      ArchiveStore.Position from = start.position();
      PsyncReply reply =
          from == null ? conn.psync(ep, "?", -1) : conn.psync(ep, from.replid(), from.offset());
      if (reply.outcome() == ReplicationConnection.Outcome.FULL_RESYNC) {
        Instant at = clock.instant();
        log.info(
            "archiver of {}: {} starts over (full resynchronisation at {} {}){}",
            dataset,
            conn.server(),
            reply.replid(),
            reply.offset(),
            from == null ? "" : ", the archive cannot continue at " + from.offset());
        Manifest base =
            bases.store(
                ep,
                conn.rdb(),
                at,
                new Manifest.StreamPosition(reply.replid(), reply.offset(), -1));
        int db = base.stream() == null ? -1 : base.stream().db();
        ArchiveStore.Gap gap = null;
        if (from != null && from.timeline() != null) {
          gap =
              new ArchiveStore.Gap(
                  from.replid(),
                  from.offset(),
                  lastSealedAt,
                  "the master at "
                      + conn.server()
                      + " could not continue the stream at offset "
                      + from.offset()
                      + " (a full resynchronisation was needed: its backlog no longer holds that"
                      + " offset, or it does not know the replication id)");
          gaps.incrementAndGet();
          log.warn(
              "archiver of {}: gap after offset {} of {}", dataset, from.offset(), from.replid());
        }
        ArchiveStore.TimelineRecord t =
            store.startTimeline(
                dataset,
                reply.replid(),
                reply.offset(),
                db,
                at,
                base.id(),
                from == null ? null : from.timeline(),
                gap);
        position = new ArchiveStore.Position(t.timeline(), reply.replid(), reply.offset(), db);
        lastRecord = null;
        try {
          baseListener.accept(base);
        } catch (RuntimeException e) {
          log.warn(
              "archiver of {}: what follows the storing of base {} failed: {}",
              dataset,
              base.id(),
              e.getMessage());
        }
      } else {
        if (from.timeline() == null) {
          ArchiveStore.TimelineRecord t =
              store.startTimeline(
                  dataset,
                  reply.replid(),
                  from.offset(),
                  from.db(),
                  clock.instant(),
                  start.baseId(),
                  null,
                  null);
          from = new ArchiveStore.Position(t.timeline(), reply.replid(), from.offset(), from.db());
        }
        position =
            new ArchiveStore.Position(from.timeline(), reply.replid(), from.offset(), from.db());
        log.info(
            "archiver of {}: {} continues the stream at offset {} ({})",
            dataset,
            conn.server(),
            from.offset(),
            reply.replid());
      }
      session = new Session(conn, position);
      conn.sendAck(position.offset());
      publish(ArchiverStatus.State.STREAMING, conn.server(), position.offset(), null, null);
      Session s = session;
      sealer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread th = new Thread(r, "archiver-seal-" + dataset);
                th.setDaemon(true);
                return th;
              });
      long period = settings.segment().toMillis();
      var unused =
          sealer.scheduleAtFixedRate(s::sealOnSchedule, period, period, TimeUnit.MILLISECONDS);
      s.read();
    } catch (IOException | RuntimeException e) {
      if (session != null && session.sealFailure.get() != null) {
        Exception f = session.sealFailure.get();
        throw RedisOpsException.failed("sealing a segment failed: " + f.getMessage(), f);
      }
      throw e;
    } finally {
      if (sealer != null) {
        // no interrupt: a seal under way finishes (an interrupted file write would fail it)
        sealer.shutdown();
        try {
          sealer.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (session != null && session.sealFailure.get() == null) {
        try {
          session.seal(false); // what arrived is whole commands: keep it
        } catch (IOException | RuntimeException e) {
          log.warn(
              "archiver of {}: the last segment could not be sealed: {}", dataset, e.getMessage());
        }
      }
      current = null;
      conn.close();
    }
  }

  /** One connection's stream: the open segment, what reads it and what seals it. */
  private final class Session {
    private final ReplicationConnection conn;
    private final Object bufferLock = new Object();
    private final Object sealLock = new Object();
    final AtomicReference<Exception> sealFailure = new AtomicReference<>();
    private OpenSegment open;
    private volatile long durable;

    Session(ReplicationConnection conn, ArchiveStore.Position at) {
      this.conn = conn;
      this.open = new OpenSegment(at.offset(), at.db());
      this.durable = at.offset();
    }

    void read() throws IOException {
      StreamCommandReader reader = new StreamCommandReader(conn.stream(), conn.server());
      while (!stopping) {
        StreamCommandReader.Command cmd = reader.next();
        Instant now = clock.instant();
        boolean full;
        long received;
        synchronized (bufferLock) {
          open.append(cmd, now);
          full = open.length >= settings.segmentBytes();
          received = open.endOffset;
        }
        if (cmd.name().equals("replconf") && "getack".equalsIgnoreCase(cmd.arg1())) {
          conn.sendAck(durable);
        }
        if (full) {
          seal(true);
        }
        ArchiverStatus st = status;
        if (st.receivedOffset() != received && (received & 0xff) == 0) {
          publish(ArchiverStatus.State.STREAMING, conn.server(), received, null, null);
        }
      }
    }

    void sealOnSchedule() {
      try {
        seal(true);
        publish(ArchiverStatus.State.STREAMING, conn.server(), receivedNow(), null, null);
      } catch (IOException | RuntimeException e) {
        sealFailure.compareAndSet(null, e);
        log.warn("archiver of {}: sealing failed: {}", dataset, e.getMessage());
        conn.close(); // the reader stops; the next attempt asks the master from the sealed end
      }
    }

    private long receivedNow() {
      synchronized (bufferLock) {
        return open.endOffset;
      }
    }

    /** Seals the open segment (if it holds anything), then acknowledges the sealed end. */
    void seal(boolean ack) throws IOException {
      synchronized (sealLock) {
        OpenSegment full;
        Instant now = clock.instant();
        synchronized (bufferLock) {
          if (open.length == 0) {
            full = null;
          } else {
            full = open;
            open = full.next();
          }
        }
        ArchiveStore.Position p = position;
        if (full != null) {
          lastRecord =
              store.seal(
                  dataset,
                  p.timeline(),
                  p.replid(),
                  full.startOffset,
                  full.endOffset,
                  full.startDb,
                  full.db,
                  full.firstReceived,
                  full.lastReceived,
                  now,
                  full.content,
                  full.length);
          position = new ArchiveStore.Position(p.timeline(), p.replid(), full.endOffset, full.db);
          durable = full.endOffset;
          lastSealedAt = now;
          sealedListener.accept(lastRecord);
        } else if (lastRecord != null
            && lastRecord.timeline().equals(p.timeline())
            && lastRecord.endOffset() == durable) {
          // Nothing new arrived: the archive still holds everything the master sent up to now.
          lastRecord = store.touch(lastRecord, now);
          lastSealedAt = now;
          sealedListener.accept(lastRecord);
        }
        if (ack) {
          conn.sendAck(durable);
        }
      }
    }
  }

  /** The segment being filled: complete commands only, with their {@code #TS} lines. */
  private static final class OpenSegment {
    final long startOffset;
    final int startDb;
    long endOffset;
    int db;
    byte[] content = new byte[4096];
    int length;
    Instant firstReceived;
    Instant lastReceived;
    long lastTsSecond = Long.MIN_VALUE;

    OpenSegment(long startOffset, int startDb) {
      this.startOffset = startOffset;
      this.startDb = startDb;
      this.endOffset = startOffset;
      this.db = startDb;
    }

    OpenSegment next() {
      return new OpenSegment(endOffset, db);
    }

    void append(StreamCommandReader.Command cmd, Instant now) {
      long second = now.getEpochSecond();
      if (second != lastTsSecond) {
        byte[] ts = ("#TS:" + second + "\r\n").getBytes(StandardCharsets.US_ASCII);
        put(ts, ts.length);
        lastTsSecond = second;
      }
      put(cmd.raw(), cmd.length());
      endOffset += cmd.length();
      if (firstReceived == null) {
        firstReceived = now;
      }
      lastReceived = now;
      if (cmd.name().equals("select") && cmd.arg1() != null) {
        try {
          db = Integer.parseInt(cmd.arg1());
        } catch (NumberFormatException ignored) {
          // not a database number: the master never sends that; keep the last one
        }
      }
    }

    private void put(byte[] b, int n) {
      if (length + n > content.length) {
        content = Arrays.copyOf(content, Math.max(content.length * 2, length + n));
      }
      System.arraycopy(b, 0, content, length, n);
      length += n;
    }
  }
}
