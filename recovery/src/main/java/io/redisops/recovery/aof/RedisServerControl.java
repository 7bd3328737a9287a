package io.redisops.recovery.aof;

import io.redisops.error.RedisOpsException;
import io.redisops.redis.InfoParser;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Stops a Redis on this host without letting it write ({@code SHUTDOWN NOSAVE}) and starts it again from its config
 * file ({@code redis-server <config_file> --daemonize yes}), waiting until it answers {@code PING}.
 *
 * <p>Why these choices: a plain shutdown would save and overwrite {@code dump.rdb}; the config file named by
 * {@code INFO server} is the one source of every setting the server ran with; {@code --daemonize yes} detaches the
 * server from redis-ops (a Ctrl-C in the operator's terminal must not kill it) but exits 0 even when the server then
 * fails, so the start is judged by {@code PING} and the pid, never by the exit code.
 */
public final class RedisServerControl {
  /** How long a stop may take: Redis exits at once with NOSAVE, but a slow disk may hold the AOF fsync. */
  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  /** How long a start may take: loading a large AOF takes time ({@code LOADING}). */
  public static final Duration START_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration POLL = Duration.ofMillis(100);

  private final Clock clock;
  private final Duration startTimeout;

  public RedisServerControl(Clock clock, Duration startTimeout) {
    this.clock = clock;
    this.startTimeout = startTimeout;
  }

  /**
   * What is needed to stop and start one server, read while it runs.
   *
   * @param pid {@code process_id}
   * @param runId {@code run_id}
   * @param configFile {@code config_file}, null when it was started without one
   * @param executable the redis-server to start ({@code executable} when it exists, else {@code redis-server} from PATH)
   * @param workingDir the server's working directory (relative paths in its config are relative to it)
   * @param pidFile its {@code pidfile}, null when none is set
   * @param logFile its {@code logfile}, null when it logs to stdout
   * @param keys keys in all databases
   */
  public record ServerFacts(long pid, String runId, Path configFile, String executable, Path workingDir,
      Path pidFile, Path logFile, long keys) {

    /** Whether its process is visible on this host (same pid namespace): a condition to stop and start it. */
    public boolean localProcess() {
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
  }

  /** Reads the facts from a running server. */
  public static ServerFacts facts(RedisSession redis) {
    Map<String, String> server = redis.info("server");
    long pid = Long.parseLong(server.getOrDefault("process_id", "-1"));
    String config = server.getOrDefault("config_file", "");
    String exe = server.getOrDefault("executable", "");
    String executable = !exe.isEmpty() && Files.isExecutable(Path.of(exe)) ? exe : "redis-server";
    Path cwd = null;
    try {
      cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"));
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // not readable (another user, no /proc): fall back to the data directory below
    }
    if (cwd == null) {
      cwd = redis.configGet("dir").map(Path::of).orElse(Path.of("/"));
    }
    Path pidFile = redis.configGet("pidfile").filter(s -> !s.isEmpty()).map(cwd::resolve).orElse(null);
    Path logFile = redis.configGet("logfile").filter(s -> !s.isEmpty()).map(cwd::resolve).orElse(null);
    return new ServerFacts(pid, server.get("run_id"), config.isEmpty() ? null : cwd.resolve(config), executable, cwd,
        pidFile, logFile, keys(redis));
  }

  /** Keys in all databases ({@code INFO keyspace}). */
  public static long keys(RedisSession redis) {
    long n = 0;
    for (Map.Entry<String, String> e : redis.info("keyspace").entrySet()) {
      if (e.getKey().startsWith("db")) {
        n += InfoParser.keyspaceEntry(e.getValue()).getOrDefault("keys", 0L);
      }
    }
    return n;
  }

  /**
   * Checks up front that {@link #stop} and {@link #start} can work, so nothing is stopped that cannot be started.
   *
   * @throws RedisOpsException refused (5) naming what is missing
   */
  public static void checkRestartable(ServerFacts f, RedisEndpoint endpoint) {
    if (!f.localProcess()) {
      throw RedisOpsException.refused("Redis at " + endpoint + " (pid " + f.pid() + ") does not run on this host;"
          + " stop it where it runs and give its data directory with --dir");
    }
    if (f.configFile() == null) {
      throw RedisOpsException.refused("Redis at " + endpoint + " was started without a config file, so redis-ops"
          + " could not start it again; stop it yourself and give its data directory with --dir");
    }
    if (!Files.isReadable(f.configFile())) {
      throw RedisOpsException.refused("the config file '" + f.configFile() + "' of Redis at " + endpoint
          + " is not readable here; redis-ops could not start it again");
    }
  }

  /**
   * {@code SHUTDOWN NOSAVE}, then waits until the process is gone.
   *
   * @throws RedisOpsException failed (1) when Redis refuses or does not exit in time
   */
  public void stop(RedisSession redis, ServerFacts f) {
    try {
      redis.commands().shutdown(false);
    } catch (RuntimeException e) {
      // The connection closing under the reply is the expected answer; an error reply is a refusal.
      String msg = String.valueOf(e.getMessage());
      if (msg.startsWith("ERR") || msg.contains("Errors trying to SHUTDOWN")) {
        throw RedisOpsException.failed("Redis at " + redis.endpoint() + " refused SHUTDOWN NOSAVE: " + msg);
      }
    }
    long deadline = clock.millis() + STOP_TIMEOUT.toMillis();
    while (ProcessHandle.of(f.pid()).map(ProcessHandle::isAlive).orElse(false)) {
      if (clock.millis() > deadline) {
        throw RedisOpsException.failed("Redis (pid " + f.pid() + ") did not exit within " + STOP_TIMEOUT.toSeconds()
            + " s of SHUTDOWN NOSAVE");
      }
      pause();
    }
  }

  /**
   * Starts the server from its config file and waits until it answers PING with PONG.
   *
   * @return the new pid ({@code process_id})
   * @throws RedisOpsException failed (1) when it exits or does not answer in time, naming its log file
   */
  public long start(ServerFacts f, RedisEndpoint endpoint) {
    List<String> cmd = new ArrayList<>(List.of(f.executable(), f.configFile().toString(), "--daemonize", "yes"));
    Path pidFile = f.pidFile();
    if (pidFile == null) {
      // A daemonized Redis writes /var/run/redis.pid when no pidfile is set: keep it next to the data instead.
      pidFile = f.workingDir().resolve("redis-ops-" + endpoint.port() + ".pid");
      cmd.add("--pidfile");
      cmd.add(pidFile.toString());
    }
    try {
      Files.deleteIfExists(pidFile);
      Process p = new ProcessBuilder(cmd).directory(f.workingDir().toFile()).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw RedisOpsException.failed("'" + String.join(" ", cmd) + "' did not return");
      }
      if (p.exitValue() != 0) {
        throw RedisOpsException.failed("'" + String.join(" ", cmd) + "' failed (exit " + p.exitValue() + "): "
            + new String(out, StandardCharsets.UTF_8).strip());
      }
    } catch (IOException e) {
      throw RedisOpsException.failed("unable to run '" + String.join(" ", cmd) + "': " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RedisOpsException.failed("interrupted while starting Redis");
    }
    return awaitReady(endpoint, pidFile, f.logFile());
  }

  private long awaitReady(RedisEndpoint endpoint, Path pidFile, Path logFile) {
    long deadline = clock.millis() + startTimeout.toMillis();
    String last = "no answer";
    String where = logFile == null ? "" : "; see its log " + logFile;
    while (true) {
      Optional<Long> pid = readPid(pidFile);
      if (pid.isPresent() && !ProcessHandle.of(pid.get()).map(ProcessHandle::isAlive).orElse(false)) {
        throw RedisOpsException.failed("Redis (pid " + pid.get() + ") exited while starting" + where);
      }
      try (RedisSession s = RedisConnector.connect(endpoint, Duration.ofSeconds(2))) {
        String pong = s.commands().ping();
        if ("PONG".equals(pong)) {
          return Long.parseLong(s.info("server").get("process_id"));
        }
        last = pong;
      } catch (RuntimeException e) {
        last = String.valueOf(e.getMessage()); // LOADING, or not listening yet
      }
      if (clock.millis() > deadline) {
        throw RedisOpsException.failed("Redis at " + endpoint + " did not answer PING within " + startTimeout.toSeconds()
            + " s (last: " + last + ")" + where);
      }
      pause();
    }
  }

  private static Optional<Long> readPid(Path pidFile) {
    try {
      String s = Files.readString(pidFile).strip();
      return s.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(s));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RedisOpsException.failed("interrupted while waiting for Redis");
    }
  }
}
