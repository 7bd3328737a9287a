package io.redisops.backup.snapshot;

import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.redis.RedisErrorReply;
import io.redisops.redis.RedisSession;
import io.redisops.text.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code BGSAVE}, wait until our save has finished, then read {@code dir/dbfilename}. No
 * intermediate copy: Redis writes a new snapshot under a temporary name and renames it, so the file
 * we opened keeps its content even if a later save replaces it.
 *
 * <p>Completion, as measured on Redis 7.0 (docs/redis-facts.md, "Snapshots"): {@code
 * rdb_bgsave_in_progress:0} and {@code rdb_saves} above its value before our request (it counts at
 * fork) and {@code rdb_last_bgsave_status:ok}. A save already running when we start is waited for
 * and never accepted: ours starts after it.
 */
public final class BgsaveSnapshotSource implements SnapshotSource {
  private static final Logger log = LoggerFactory.getLogger(BgsaveSnapshotSource.class);
  private final Clock clock;
  private final Duration timeout;

  public BgsaveSnapshotSource(Clock clock, Duration timeout) {
    this.clock = clock;
    this.timeout = timeout;
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
    Instant deadline = clock.instant().plus(timeout);
    Instant frozenAt = startOurSave(session, deadline);
    boolean[] shown = {false}; // local: one source serves the daemon's datasets in parallel
    try {
      waitForOurSave(
          session,
          deadline,
          frozenAt,
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
    return new FileSnapshot(in, size, frozenAt);
  }

  private long saves;

  /**
   * Starts our BGSAVE once no other save runs; returns when the fork happened (as near as we can
   * tell).
   */
  private Instant startOurSave(RedisSession session, Instant deadline) {
    boolean logged = false;
    while (true) {
      Map<String, String> info = session.info("persistence");
      saves = number(info, "rdb_saves");
      if (!"1".equals(info.get("rdb_bgsave_in_progress"))) {
        try {
          String reply = session.command("BGSAVE");
          Instant at = clock.instant();
          log.info("BGSAVE on {}: {}", session.endpoint(), reply);
          return at;
        } catch (RedisErrorReply e) {
          String msg = String.valueOf(e.getMessage());
          if (msg.contains("Another child process is active") || msg.contains("AOF")) {
            // An AOF rewrite runs: SCHEDULE makes Redis start our save as soon as the rewrite ends.
            String reply = session.command("BGSAVE", "SCHEDULE");
            log.info("BGSAVE SCHEDULE on {} (an AOF rewrite runs): {}", session.endpoint(), reply);
            return waitForFork(session, deadline);
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

  private Instant waitForFork(RedisSession session, Instant deadline) {
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
      Instant deadline,
      Instant started,
      java.util.function.Consumer<SaveStatus> progress) {
    while (true) {
      Map<String, String> info = session.info("persistence");
      if (!"1".equals(info.get("rdb_bgsave_in_progress")) && number(info, "rdb_saves") > saves) {
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
      progress.accept(saveStatus(info, started));
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

  private void pause(Instant deadline, RedisSession session) {
    if (clock.instant().isAfter(deadline)) {
      throw RedisOpsException.failed(
          "BGSAVE on "
              + session.endpoint()
              + " did not finish within "
              + timeout.toSeconds()
              + " s; see the Redis log");
    }
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
