package io.redisops.backup.snapshot;

import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisErrorReply;
import io.redisops.redis.RedisSession;
import io.redisops.text.Sizes;
import io.redisops.time.Deadline;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code BGSAVE}, then read the snapshot, by one of two ways (the log says which, at info level):
 *
 * <ul>
 *   <li><b>Following the fork</b> (the usual way on the server's own host): Redis' and Valkey's
 *       save child writes {@code <dir>/temp-<child pid>.rdb}, fsyncs it and renames it to {@code
 *       dbfilename} itself; on failure it unlinks it, and when it is killed the parent unlinks it
 *       (src/rdb.c {@code rdbSaveBackground}, {@code rdbSave}, {@code
 *       backgroundSaveDoneHandlerDisk}, the same in Redis 7.0 to 8.x and Valkey 8 and 9). Once our
 *       BGSAVE is accepted we find that child (a child of INFO server's {@code process_id} in
 *       {@code /proc} whose temp file exists) and read its file while it grows, so that verifying,
 *       hashing and compressing run alongside the server's own write instead of after it. The
 *       stream ends when its file is read to the end and the child has renamed it to {@code
 *       dbfilename} (which it does only with the whole snapshot written and fsynced), or, when the
 *       child ended without that rename, when INFO confirms our save finished OK; otherwise reading
 *       fails and nothing is stored. The file we opened keeps its bytes through the rename (and
 *       through an unlink).
 *   <li><b>Waiting</b> (the fallback: a server on another host or in another pid namespace, no
 *       {@code /proc}, a child already finished, another save than ours): wait until our save has
 *       finished, then read {@code dir/dbfilename}.
 * </ul>
 *
 * <p>Completion, as measured on Redis 7.0 (docs/redis-facts.md, "Snapshots"): {@code
 * rdb_bgsave_in_progress:0} and {@code rdb_saves} above its value before our request (it counts at
 * fork) and {@code rdb_last_bgsave_status:ok}. A save already running when we start is waited for
 * and never accepted: ours starts after it.
 */
public final class BgsaveSnapshotSource implements SnapshotSource {
  private static final Logger log = LoggerFactory.getLogger(BgsaveSnapshotSource.class);

  /** The pause between two looks for the save child's file (it appears right after the fork). */
  private static final Duration FIND_POLL = Duration.ofMillis(5);

  /**
   * How often a reader waiting at the end of the file also asks INFO whether our save still runs.
   */
  private static final Duration INFO_RECHECK = Duration.ofSeconds(1);

  /**
   * How long a stored backup waits for the server to notice its save child's end ({@link
   * Snapshot#settle}): the parent does so within a cron tick (1/hz s, at most 1 s), later only when
   * its main thread is busy.
   */
  private static final Duration SETTLE_LIMIT = Duration.ofSeconds(10);

  private final Clock clock;
  private final Duration timeout;
  private final ProcessTable processes;
  private final Predicate<RedisEndpoint> onThisHost;

  public BgsaveSnapshotSource(Clock clock, Duration timeout) {
    this(clock, timeout, ProcessTable.HOST);
  }

  /** As the public constructor, reading processes from {@code processes} (tests). */
  BgsaveSnapshotSource(Clock clock, Duration timeout, ProcessTable processes) {
    this(clock, timeout, processes, RedisEndpoint::onThisHost);
  }

  /**
   * As the public constructor, reading processes from {@code processes} and judging with {@code
   * onThisHost} whether a server runs here (tests: every server a test may start is on loopback).
   */
  BgsaveSnapshotSource(
      Clock clock, Duration timeout, ProcessTable processes, Predicate<RedisEndpoint> onThisHost) {
    this.clock = clock;
    this.timeout = timeout;
    this.processes = processes;
    this.onThisHost = onThisHost;
  }

  /**
   * Where the server writes its RDB, as {@code CONFIG GET dir} and {@code dbfilename} say; empty if
   * CONFIG is refused.
   */
  public static java.util.Optional<Path> rdbPath(RedisSession session) {
    try {
      java.util.Optional<String> dir = session.configGet("dir");
      java.util.Optional<String> name = session.configGet("dbfilename");
      if (dir.isEmpty() || name.isEmpty()) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(Path.of(dir.get()).resolve(name.get()));
    } catch (RedisOpsException e) {
      if (e.getMessage().contains("NOPERM") || e.getMessage().contains("unknown command")) {
        return java.util.Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public Snapshot capture(RedisSession session) throws IOException {
    return capture(session, ProgressListener.NONE);
  }

  @Override
  public Snapshot capture(RedisSession session, ProgressListener progress) throws IOException {
    if (!onThisHost.test(session.endpoint())) {
      // Its dir/dbfilename names a file on its own host. The same path here may hold another
      // server's snapshot (the usual /var/lib/redis/dump.rdb of a local Redis), which would be
      // stored, verified and all, as this server's backup.
      throw RedisOpsException.usage(
          "a bgsave capture reads the server's own RDB file, and Redis at "
              + session.endpoint()
              + " is not on this host; capture it by replication (--method replication, or"
              + " method: replication in the configuration), or run redis-ops on its host");
    }
    Path file =
        rdbPath(session)
            .orElseThrow(
                () ->
                    RedisOpsException.usage(
                        "Redis at "
                            + session.endpoint()
                            + " does not tell its data directory (CONFIG GET is refused); use --method replication"));
    if (!Files.isReadable(file.getParent())) {
      throw RedisOpsException.usage(
          "the data directory "
              + file.getParent()
              + " of Redis at "
              + session.endpoint()
              + " is not readable from here; run as a user that can read it or use --method replication");
    }
    Deadline deadline = Deadline.after(clock, timeout);
    OurSave ours = startOurSave(session, deadline);
    Snapshot followed = follow(session, file, ours, deadline);
    if (followed != null) {
      return followed;
    }
    boolean[] shown = {false}; // local: one source serves the daemon's datasets in parallel
    try {
      waitForOurSave(
          session,
          deadline,
          ours,
          status -> {
            progress.status(
                "BGSAVE on " + session.endpoint().address(), status.detail(), status.percent());
            shown[0] = true;
          });
    } finally {
      if (shown[0]) {
        progress.end();
      }
    }
    InputStream in;
    long size;
    try {
      in = Files.newInputStream(file);
      size = Files.size(file);
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to read the snapshot " + file + ": " + e.getMessage(), e);
    }
    return new FileSnapshot(in, size, ours.frozenAt());
  }

  /**
   * Our save: when its fork happened (as near as we can tell) and {@code rdb_saves} just before we
   * asked for it.
   */
  private record OurSave(Instant frozenAt, long savesBefore) {
    /** Whether INFO persistence shows our save, and no later one, still running. */
    boolean running(Map<String, String> info) {
      return "1".equals(info.get("rdb_bgsave_in_progress"))
          && number(info, "rdb_saves") == savesBefore + 1;
    }

    /** Whether INFO persistence shows our save ended (whatever its outcome). */
    boolean ended(Map<String, String> info) {
      return !"1".equals(info.get("rdb_bgsave_in_progress"))
          && number(info, "rdb_saves") > savesBefore;
    }
  }

  /**
   * The snapshot read while our save's child writes it, or null (logged) when that child or its
   * file cannot be found here: the caller then waits for the save and reads the finished file.
   */
  private Snapshot follow(RedisSession session, Path rdbFile, OurSave ours, Deadline deadline)
      throws IOException {
    Path dir = rdbFile.getParent();
    if (!session.endpoint().onThisHost()) {
      return notFollowed(session, "the server is not on this host");
    }
    long serverPid = longOr(session.info("server").get("process_id"), -1);
    if (serverPid <= 0) {
      return notFollowed(session, "INFO server tells no process_id");
    }
    if (!processes.visible(serverPid)) {
      return notFollowed(
          session,
          "its process_id " + serverPid + " is not a process here (another host or container)");
    }
    while (true) {
      for (long child : processes.candidateChildren(serverPid, dir)) {
        ProcessTable.Stat stat = processes.stat(child).orElse(null);
        if (stat == null || stat.ppid() != serverPid || !stat.running()) {
          continue;
        }
        Path temp = dir.resolve("temp-" + child + ".rdb");
        // Its identity first, then the open: if both succeed they name the same file (the child
        // never creates a second one under its name), which lets the end check the rename.
        Object fileKey = fileKey(temp);
        if (fileKey == null) {
          continue; // not created yet, or another child (an AOF rewrite)
        }
        FileChannel channel;
        try {
          channel = FileChannel.open(temp, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
          continue; // not created yet, or another child (an AOF rewrite)
        } catch (IOException e) {
          return notFollowed(session, "its snapshot " + temp + " cannot be opened: " + e);
        }
        // The child ran before and after this INFO, which counts our fork and no later one: it is
        // ours (the server runs one child at a time).
        Map<String, String> info;
        try {
          info = session.info("persistence");
        } catch (RuntimeException e) {
          channel.close();
          throw e;
        }
        if (ours.running(info) && processes.running(stat)) {
          log.info(
              "BGSAVE on {}: reading the snapshot {} while the server's child {} writes it",
              session.endpoint(),
              temp,
              child);
          String what = "the snapshot " + temp + " of Redis at " + session.endpoint();
          InputStream in =
              new GrowingFileInputStream(
                  channel,
                  new ChildRunning(session, ours, stat, rdbFile, fileKey),
                  () -> confirm(session, ours, child, deadline, rdbFile, fileKey),
                  deadline,
                  what);
          return new FollowedSnapshot(in, ours.frozenAt(), () -> awaitReaped(session, ours, child));
        }
        channel.close();
      }
      Map<String, String> info = session.info("persistence");
      if (!ours.running(info)) {
        return notFollowed(
            session,
            number(info, "rdb_saves") > ours.savesBefore() + 1
                ? "another save started after ours"
                : "its save child was not found before the save ended");
      }
      if (deadline.passed()) {
        return notFollowed(session, "its save child's file did not appear");
      }
      pause(FIND_POLL, session);
    }
  }

  private static Snapshot notFollowed(RedisSession session, String why) {
    log.info(
        "BGSAVE on {}: {}; reading the snapshot once the save has finished",
        session.endpoint(),
        why);
    return null;
  }

  /**
   * Whether our save's child may still write: it has not yet renamed its file to {@code dbfilename}
   * (it does so after its last write and fsync), it runs (by {@code /proc}) and, asked at most
   * every {@link #INFO_RECHECK}, INFO still shows our save running (a guard against a pid that only
   * looked like our child's).
   */
  private final class ChildRunning implements java.util.function.BooleanSupplier {
    private final RedisSession session;
    private final OurSave ours;
    private final ProcessTable.Stat child;
    private final Path rdbFile;
    private final Object fileKey;
    private Instant infoAsked;

    ChildRunning(
        RedisSession session, OurSave ours, ProcessTable.Stat child, Path rdbFile, Object fileKey) {
      this.session = session;
      this.ours = ours;
      this.child = child;
      this.rdbFile = rdbFile;
      this.fileKey = fileKey;
      this.infoAsked = clock.instant();
    }

    @Override
    public boolean getAsBoolean() {
      if (renamed(rdbFile, fileKey) || !processes.running(child)) {
        return false;
      }
      Instant now = clock.instant();
      if (Duration.between(infoAsked, now).compareTo(INFO_RECHECK) >= 0) {
        infoAsked = now;
        return ours.running(session.info("persistence"));
      }
      return true;
    }
  }

  /**
   * Whether the file we read (named by its {@code fileKey}) is now {@code rdbFile}: the child's
   * rename, which it makes only after it wrote and fsynced the whole snapshot.
   */
  private static boolean renamed(Path rdbFile, Object fileKey) {
    return fileKey.equals(fileKey(rdbFile));
  }

  private static Object fileKey(Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Called once the child has renamed its file or ended, and the file is read to the end: returns
   * when the child renamed the file we read to {@code rdbFile} (Redis' and Valkey's child renames
   * only a snapshot it wrote and fsynced whole: src/rdb.c {@code rdbSave}), else when INFO says our
   * save finished OK and the file was renamed meanwhile; throws naming the failure otherwise.
   *
   * <p>The rename is the answer, not INFO: its parent notices the child's end only at its next cron
   * tick (up to 100 ms at the default {@code hz 10}) and the child's exit unmaps a copy of the
   * server's memory, both after the snapshot is whole (docs/redis-facts.md, "Snapshots"). A child
   * the server stops on purpose (SIGUSR1: {@code FLUSHALL}, {@code SHUTDOWN}, a replica's full
   * sync) leaves {@code rdb_last_bgsave_status:ok} and a torn file that is never renamed.
   */
  private void confirm(
      RedisSession session,
      OurSave ours,
      long child,
      Deadline deadline,
      Path rdbFile,
      Object fileKey)
      throws IOException {
    if (renamed(rdbFile, fileKey)) {
      return;
    }
    while (true) {
      Map<String, String> info = session.info("persistence"); // the parent reaps within a cron tick
      if (ours.ended(info)) {
        String status = info.get("rdb_last_bgsave_status");
        if (!"ok".equals(status)) {
          throw new IOException(
              "BGSAVE on "
                  + session.endpoint()
                  + " failed: its child process "
                  + child
                  + " ended before the snapshot was complete (rdb_last_bgsave_status:"
                  + status
                  + "); see the Redis log");
        }
        if (number(info, "rdb_saves") == ours.savesBefore() + 1
            && !fileKey.equals(fileKey(rdbFile))) {
          throw new IOException(
              "BGSAVE on "
                  + session.endpoint()
                  + " was stopped by the server before it finished: its child process "
                  + child
                  + " ended without writing "
                  + rdbFile
                  + " (a FLUSHALL, SHUTDOWN or full resync stops a save); try again");
        }
        return;
      }
      if (deadline.passed()) {
        throw new IOException(
            "BGSAVE on "
                + session.endpoint()
                + " did not report its end within "
                + timeout.toSeconds()
                + " s after its child "
                + child
                + " ended; see the Redis log");
      }
      pause(FIND_POLL, session);
    }
  }

  /**
   * Waits until INFO no longer shows our save running: the parent reaps its child at its next cron
   * tick after the rename that ended our read (or a later save has started, so ours is over).
   * Bounded by {@link #SETTLE_LIMIT}, not by the capture's timeout: the snapshot is stored by now.
   * Logs, and returns, when it cannot tell.
   */
  private void awaitReaped(RedisSession session, OurSave ours, long child) {
    Deadline limit = Deadline.after(clock, SETTLE_LIMIT);
    try {
      while (ours.running(session.info("persistence"))) {
        if (limit.passed()) {
          log.warn(
              "BGSAVE on {}: the server has not noticed the end of its child {} within {} s; the"
                  + " snapshot is stored; see the Redis log",
              session.endpoint(),
              child,
              SETTLE_LIMIT.toSeconds());
          return;
        }
        pause(FIND_POLL, session);
      }
    } catch (RuntimeException e) {
      log.warn(
          "BGSAVE on {}: could not see the server notice the end of its child {}, whose snapshot"
              + " is stored: {}",
          session.endpoint(),
          child,
          e.getMessage());
    }
  }

  /**
   * Starts our BGSAVE once no other save runs; returns when the fork happened (as near as we can
   * tell).
   */
  private OurSave startOurSave(RedisSession session, Deadline deadline) {
    boolean logged = false;
    while (true) {
      Map<String, String> info = session.info("persistence");
      long saves = number(info, "rdb_saves");
      if (!"1".equals(info.get("rdb_bgsave_in_progress"))) {
        try {
          String reply = session.command("BGSAVE");
          Instant at = clock.instant();
          log.info("BGSAVE on {}: {}", session.endpoint(), reply);
          return new OurSave(at, saves);
        } catch (RedisErrorReply e) {
          String msg = String.valueOf(e.getMessage());
          if (msg.contains("Another child process is active") || msg.contains("AOF")) {
            // An AOF rewrite runs: SCHEDULE makes Redis start our save as soon as the rewrite ends.
            String reply = session.command("BGSAVE", "SCHEDULE");
            log.info("BGSAVE SCHEDULE on {} (an AOF rewrite runs): {}", session.endpoint(), reply);
            return new OurSave(waitForFork(session, deadline, saves), saves);
          }
          if (!msg.contains("already in progress")) {
            throw RedisOpsException.failed(
                "BGSAVE on " + session.endpoint() + " failed: " + msg, e);
          }
          // another save started between our INFO and our BGSAVE: wait for it and try again
        } catch (RuntimeException e) {
          throw session.translate(e);
        }
      }
      if (!logged) {
        log.info(
            "a save already runs on {}; waiting for it to end before starting ours",
            session.endpoint());
        logged = true;
      }
      pause(deadline, session);
    }
  }

  private Instant waitForFork(RedisSession session, Deadline deadline, long saves) {
    while (true) {
      Map<String, String> info = session.info("persistence");
      if (number(info, "rdb_saves") > saves) {
        return clock.instant();
      }
      pause(deadline, session);
    }
  }

  private record SaveStatus(String detail, double percent) {}

  private void waitForOurSave(
      RedisSession session,
      Deadline deadline,
      OurSave ours,
      java.util.function.Consumer<SaveStatus> progress) {
    while (true) {
      Map<String, String> info = session.info("persistence");
      if (ours.ended(info)) {
        if (!"ok".equals(info.get("rdb_last_bgsave_status"))) {
          throw RedisOpsException.failed(
              "BGSAVE on "
                  + session.endpoint()
                  + " failed (rdb_last_bgsave_status:"
                  + info.get("rdb_last_bgsave_status")
                  + "); see the Redis log");
        }
        return;
      }
      progress.accept(saveStatus(info, ours.frozenAt()));
      pause(deadline, session);
    }
  }

  /**
   * What INFO tells of the running save: {@code rdb_bgsave_in_progress}, the time since our BGSAVE
   * and, from Redis 7.0, the keys written so far ({@code current_save_keys_processed} of {@code
   * current_save_keys_total}).
   */
  private SaveStatus saveStatus(Map<String, String> info, Instant started) {
    long elapsed = Math.max(0, Duration.between(started, clock.instant()).toSeconds());
    StringBuilder detail =
        new StringBuilder(
            "rdb_bgsave_in_progress:"
                + info.getOrDefault("rdb_bgsave_in_progress", "?")
                + ", "
                + Sizes.seconds(elapsed));
    double percent = -1;
    long done = longOr(info.get("current_save_keys_processed"), -1);
    long total = longOr(info.get("current_save_keys_total"), -1);
    if (done >= 0 && total > 0) {
      detail.append(", ").append(done).append(" of ").append(total).append(" keys");
      percent = Math.min(100.0, done * 100.0 / total);
    }
    return new SaveStatus(detail.toString(), percent);
  }

  private static long longOr(String v, long fallback) {
    try {
      return v == null ? fallback : Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private void pause(Deadline deadline, RedisSession session) {
    if (deadline.passed()) {
      throw RedisOpsException.failed(
          "BGSAVE on "
              + session.endpoint()
              + " did not finish within "
              + timeout.toSeconds()
              + " s; see the Redis log");
    }
    pause(Duration.ofMillis(50), session);
  }

  private static void pause(Duration d, RedisSession session) {
    try {
      Deadline.pause(d);
    } catch (IllegalStateException e) {
      throw RedisOpsException.failed(
          "interrupted while waiting for BGSAVE on " + session.endpoint(), e);
    }
  }

  private static long number(Map<String, String> info, String key) {
    String v = info.get(key);
    if (v == null) {
      throw RedisOpsException.failed(
          "INFO persistence has no " + key + "; Redis 7.0 or newer is needed for bgsave");
    }
    return Long.parseLong(v);
  }

  /** Read while the save child writes it: its size is known only at its end. */
  private record FollowedSnapshot(InputStream stream, Instant snapshotTime, Runnable reaped)
      implements Snapshot {
    @Override
    public long size() {
      return -1;
    }

    @Override
    public void settle() {
      reaped.run();
    }

    @Override
    public SnapshotMethod method() {
      return SnapshotMethod.BGSAVE;
    }

    @Override
    public void close() throws IOException {
      stream.close();
    }
  }

  private record FileSnapshot(InputStream stream, long size, Instant snapshotTime)
      implements Snapshot {
    @Override
    public SnapshotMethod method() {
      return SnapshotMethod.BGSAVE;
    }

    @Override
    public void close() throws IOException {
      stream.close();
    }
  }
}
