package io.redisops.recovery.restore;

import io.lettuce.core.ShutdownArgs;
import io.redisops.progress.ProgressListener;
import io.redisops.text.Sizes;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.InfoParser;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stops and starts the target Redis and waits for it, by PID and by what it answers: {@code redis-server --daemonize
 * yes} exits 0 even when the server then fails (docs/redis-facts.md, "Starting and stopping Redis"), so only {@code
 * PING} and the PID tell.
 */
public final class RedisControl {
  /** Polling interval while waiting for Redis: the restore's only pause, between two probes of a condition. */
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  private final RedisEndpoint endpoint;
  private final RestoreTarget target;
  private final ServiceCommands commands;
  private final RestoreTimeouts timeouts;

  RedisControl(RedisEndpoint endpoint, RestoreTarget target, ServiceCommands commands, RestoreTimeouts timeouts) {
    this.endpoint = endpoint;
    this.target = target;
    this.commands = commands;
    this.timeouts = timeouts;
  }

  RedisEndpoint endpoint() {
    return endpoint;
  }

  /** A session to the target, or empty when nothing answers on its port (refused credentials still throw). */
  Optional<RedisSession> tryConnect() {
    try {
      return Optional.of(RedisConnector.connect(endpoint, PROBE_TIMEOUT));
    } catch (RedisOpsException e) {
      if (e.exitCode() == ExitCode.FAILED) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** A session to the running target, or a failure naming the server. */
  RedisSession connect() {
    return RedisConnector.connect(endpoint, timeouts.redis());
  }

  /** The PID of the Redis answering on the port, else of the pidfile when that process lives, else -1. */
  long runningPid() {
    Optional<RedisSession> s = tryConnect();
    if (s.isPresent()) {
      try (RedisSession redis = s.get()) {
        return Long.parseLong(redis.info("server").getOrDefault("process_id", "-1"));
      } catch (RedisOpsException | NumberFormatException e) {
        // answering but not usable: fall back to the pidfile
      }
    }
    return pidFromFile(java.time.Instant.EPOCH).filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)).orElse(-1L);
  }

  /**
   * Stops Redis without letting it write ({@code SHUTDOWN NOSAVE}, or the configured stop command) and waits until its
   * process is gone. {@code force} (rollback): {@code SHUTDOWN NOSAVE NOW FORCE} (a first AOF rewrite refuses a plain
   * shutdown), and SIGKILL of an unsupervised process that outlives the deadline: its files are being discarded.
   *
   * @return what was done, for the report
   */
  String stop(boolean force) {
    long pid = runningPid();
    if (pid < 0) {
      return "Redis was not running";
    }
    if (commands.stop() != null) {
      CommandRunner.run(commands.stop(), target.dirPath(), timeouts.command());
    } else {
      shutdownNoSave(force);
    }
    if (awaitGone(pid, timeouts.stop())) {
      return "stopped (pid " + pid + ")";
    }
    if (force && target.supervisedBy() == null) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      if (awaitGone(pid, timeouts.stop())) {
        return "killed (pid " + pid + ") after it ignored SHUTDOWN";
      }
    }
    throw RedisOpsException.failed("Redis (pid " + pid + ") at " + endpoint.address() + " is still running "
        + timeouts.stop().toSeconds() + " s after " + commands.describeStop());
  }

  private void shutdownNoSave(boolean force) {
    Optional<RedisSession> s = tryConnect();
    if (s.isEmpty()) {
      return;
    }
    try (RedisSession redis = s.get()) {
      ShutdownArgs args = ShutdownArgs.Builder.save(false);
      if (force) {
        args = args.now().force();
      }
      redis.commands().shutdown(args);
    } catch (RuntimeException e) {
      String msg = String.valueOf(e.getMessage());
      // The server closes the connection as it exits: that is the success case of SHUTDOWN.
      if (msg.startsWith("ERR") || msg.contains("Errors trying to SHUTDOWN")) {
        throw RedisOpsException.failed("Redis at " + endpoint.address() + " refused SHUTDOWN NOSAVE: " + msg, e);
      }
    }
  }

  /**
   * Runs the start command and waits until Redis answers {@code PING}, showing the load progress; fails at once when
   * the new process dies (killed, bad config, unloadable RDB), naming its log.
   *
   * @return what happened, for the report
   */
  String start(ProgressListener progress) {
    long t0 = System.nanoTime();
    java.time.Instant launched = java.time.Instant.now();
    CommandRunner.run(commands.startFor(target), target.dirPath(), timeouts.command());
    long pid = awaitReady(progress, launched);
    return "started (pid " + pid + "), data loaded in " + String.format("%.1f s", (System.nanoTime() - t0) / 1e9);
  }

  /**
   * Waits until the target answers PING; returns its PID.
   *
   * @param launched when the start command ran: an older pidfile is a stale one of a killed process
   */
  long awaitReady(ProgressListener progress, java.time.Instant launched) {
    long deadline = System.nanoTime() + timeouts.load().toNanos();
    long firstAnswerDeadline = System.nanoTime() + timeouts.firstAnswer().toNanos();
    long pid = -1;
    boolean loadingShown = false;
    boolean shown = false;
    long t0 = System.nanoTime();
    RedisSession session = null;
    try {
      while (true) {
        if (session == null) {
          session = tryConnect().orElse(null);
        }
        if (session != null) {
          try {
            Map<String, String> info = InfoParser.parse(session.commands().info("server")
                + "\n" + session.commands().info("persistence"));
            pid = Long.parseLong(info.getOrDefault("process_id", Long.toString(pid)));
            if ("1".equals(info.get("loading"))) {
              loadingShown = true;
              shown = true;
              LoadStatus st = LoadStatus.of(info, (System.nanoTime() - t0) / 1_000_000_000L);
              progress.status(startTask(), "loading " + target.dbfilename() + ", " + st.detail(), st.percent());
            } else if ("PONG".equals(session.commands().ping())) {
              return pid;
            }
          } catch (RuntimeException e) {
            // LOADING replies, or the connection dropped because the server died: decided below by its PID
            session.close();
            session = null;
          }
        }
        long now = System.nanoTime();
        if (session == null) {
          // A server busy loading may not answer for a while (it serves clients between chunks): say we wait.
          shown = true;
          progress.status(startTask(), (loadingShown ? "loading, no answer for now, "
              : "waiting for its first answer, ") + Sizes.seconds((now - t0) / 1_000_000_000L), -1);
        }
        long filePid = pid > 0 ? pid : pidFromFile(launched).orElse(-1L);
        if (filePid > 0 && !ProcessHandle.of(filePid).map(ProcessHandle::isAlive).orElse(false)
            && (session == null)) {
          throw RedisOpsException.failed("redis-server (pid " + filePid + ") exited before it was ready"
              + (loadingShown ? " (while loading)" : "") + logTail());
        }
        if (pid < 0 && session == null && now - firstAnswerDeadline > 0) {
          throw RedisOpsException.failed("Redis did not come up on " + endpoint.address() + " within "
              + timeouts.firstAnswer().toSeconds() + " s of '" + String.join(" ", commands.startFor(target))
              + "'" + logTail());
        }
        if (now - deadline > 0) {
          throw RedisOpsException.failed("Redis at " + endpoint.address() + " was not ready within "
              + timeouts.load().toSeconds() + " s" + logTail());
        }
        pause();
      }
    } finally {
      if (shown) {
        progress.end();
      }
      if (session != null) {
        session.close();
      }
    }
  }

  /** One task name for the whole wait, so that a terminal keeps one line however the server answers. */
  private String startTask() {
    return "start Redis on " + endpoint.address();
  }

  /**
   * What INFO tells of a load in progress: {@code loading_loaded_perc}, bytes loaded of the total, time so far and the
   * server's own estimate of the time left ({@code loading_eta_seconds}).
   */
  record LoadStatus(String detail, double percent) {
    static LoadStatus of(Map<String, String> info, long elapsedSeconds) {
      double percent = -1;
      StringBuilder d = new StringBuilder();
      try {
        percent = Double.parseDouble(info.getOrDefault("loading_loaded_perc", "-1"));
      } catch (NumberFormatException e) {
        // shown without a percentage
      }
      d.append("loading_loaded_perc:").append(info.getOrDefault("loading_loaded_perc", "?"));
      long loaded = parse(info.get("loading_loaded_bytes"));
      long total = parse(info.get("loading_total_bytes"));
      if (loaded >= 0 && total > 0) {
        d.append(", ").append(Sizes.human(loaded)).append(" of ").append(Sizes.human(total));
      }
      d.append(", ").append(Sizes.seconds(elapsedSeconds));
      long eta = parse(info.get("loading_eta_seconds"));
      if (eta >= 0) {
        d.append(", about ").append(Sizes.seconds(eta)).append(" left");
      }
      return new LoadStatus(d.toString(), percent);
    }

    private static long parse(String v) {
      try {
        return v == null ? -1 : Long.parseLong(v.trim());
      } catch (NumberFormatException e) {
        return -1;
      }
    }
  }

  /** Waits until the process is gone; false when the deadline passes first. */
  static boolean awaitGone(long pid, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      pause();
    }
    return true;
  }

  /** The PID in the pidfile when the file was written at or after {@code notBefore}. */
  private Optional<Long> pidFromFile(java.time.Instant notBefore) {
    if (target.pidfile() == null) {
      return Optional.empty();
    }
    try {
      Path file = target.dirPath().resolve(target.pidfile());
      if (Files.getLastModifiedTime(file).toInstant().isBefore(notBefore)) {
        return Optional.empty();
      }
      return Optional.of(Long.parseLong(Files.readString(file).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The last lines of the Redis log, for failure messages. */
  String logTail() {
    if (target.logfile() == null) {
      return "";
    }
    Path log = target.dirPath().resolve(target.logfile());
    try {
      List<String> lines = Arrays.asList(new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\n"));
      List<String> last = lines.subList(Math.max(0, lines.size() - 3), lines.size()).stream()
          .map(String::strip).filter(l -> !l.isEmpty()).toList();
      return "; see " + log + (last.isEmpty() ? "" : ", which ends: " + String.join(" | ", last));
    } catch (IOException e) {
      return "; see " + log;
    }
  }

  static void pause() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RedisOpsException.failed("interrupted while waiting for Redis", e);
    }
  }
}
