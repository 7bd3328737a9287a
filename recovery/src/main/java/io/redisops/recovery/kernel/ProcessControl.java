package io.redisops.recovery.kernel;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.redis.InfoParser;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisErrorReply;
import io.redisops.redis.RedisSession;
import io.redisops.text.Sizes;
import io.redisops.time.Deadline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The one control of a Redis process on this host, for restore and the AOF tools: stops it without
 * letting it write ({@code SHUTDOWN NOSAVE}, or the configured stop command), starts it (its own
 * program and config file daemonized, or the configured start command) and waits for it, by PID and
 * by what it answers: {@code redis-server --daemonize yes} exits 0 even when the server then fails
 * (docs/redis-facts.md, "Starting and stopping Redis"), so only {@code PING}, {@code INFO} and the
 * PID tell. While it loads, the {@code loading_*} fields of {@code INFO persistence} are shown as
 * progress; a start that dies names the end of its log. Every wait is on the injected {@link
 * Clock}.
 *
 * <p>A Redis under a service manager ({@link ServiceManager}) must be stopped and started through
 * it: callers refuse such a server unless both commands are configured ({@link
 * #refuseUnmanageable}).
 */
public final class ProcessControl {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  /**
   * The pause between two probes while Redis is down (its exit after the stop, its first {@code
   * PONG} after the start): every probe saved is downtime saved, and a probe costs a system call or
   * one round trip on loopback.
   */
  static final Duration DOWN_POLL = Duration.ofMillis(10);

  private final RedisEndpoint endpoint;
  private final Server server;
  private final ServiceCommands commands;
  private final Timeouts timeouts;
  private final Clock clock;

  /**
   * What the control needs to know of one server, read while it ran (or from its config file when
   * it is down).
   *
   * @param workingDir the server's working directory: {@code pidfile} and {@code logfile} are
   *     relative to it
   * @param configFile the config file it is started with (absolute), null when unknown
   * @param executable the program to start it with ({@code redis-server} from PATH when null)
   * @param pidfile its {@code pidfile} setting, or null
   * @param logfile its {@code logfile} setting, or null (stdout)
   * @param supervisedBy the service manager found ({@link ServiceManager#detect}), or null
   * @param loads what it loads at start, for the progress line ({@code dump.rdb}, {@code the AOF})
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Server(
      String workingDir,
      String configFile,
      String executable,
      String pidfile,
      String logfile,
      String supervisedBy,
      String loads) {

    Path workingPath() {
      return Path.of(workingDir);
    }

    /**
     * Reads what a running server tells of itself: {@code INFO server} ({@code config_file}, {@code
     * executable}, {@code process_supervised}), its working directory ({@code /proc/<pid>/cwd},
     * else {@code dir}), {@code pidfile} and {@code logfile}.
     */
    public static Server probe(RedisSession redis, String loads) {
      Map<String, String> info = redis.info("server");
      long pid = Long.parseLong(info.getOrDefault("process_id", "-1"));
      Path cwd = null;
      try {
        cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"));
      } catch (IOException | UnsupportedOperationException | SecurityException e) {
        // not readable (another user, no /proc): the data directory below
      }
      if (cwd == null) {
        cwd = redis.configGet("dir").map(Path::of).orElse(Path.of("/"));
      }
      String config = info.getOrDefault("config_file", "");
      String exe = info.getOrDefault("executable", "");
      return new Server(
          cwd.toString(),
          config.isEmpty() ? null : cwd.resolve(config).toString(),
          !exe.isEmpty() && Files.isExecutable(Path.of(exe)) ? exe : null,
          redis.configGet("pidfile").filter(s -> !s.isEmpty()).orElse(null),
          redis.configGet("logfile").filter(s -> !s.isEmpty()).orElse(null),
          ServiceManager.detect(info).orElse(null),
          loads);
    }
  }

  /**
   * How long each wait may take before it is a failure.
   *
   * @param redis one Redis command
   * @param command a configured start or stop command to exit
   * @param stop the Redis process to exit after SHUTDOWN NOSAVE or the stop command
   * @param firstAnswer a started Redis to answer at all (LOADING counts as an answer)
   * @param load a started Redis to finish loading
   */
  public record Timeouts(
      Duration redis, Duration command, Duration stop, Duration firstAnswer, Duration load) {
    public static Timeouts defaults() {
      return new Timeouts(
          Duration.ofSeconds(10),
          Duration.ofMinutes(2),
          Duration.ofMinutes(2),
          Duration.ofSeconds(60),
          Duration.ofHours(2));
    }
  }

  /**
   * A start that answered.
   *
   * @param pid the new process
   * @param loaded how long it took until it answered PING
   */
  public record Started(long pid, Duration loaded) {
    public String describe() {
      return "started (pid "
          + pid
          + "), data loaded in "
          + String.format("%.1f s", loaded.toMillis() / 1000.0);
    }
  }

  public ProcessControl(
      RedisEndpoint endpoint,
      Server server,
      ServiceCommands commands,
      Timeouts timeouts,
      Clock clock) {
    this.endpoint = endpoint;
    this.server = server;
    this.commands = commands;
    this.timeouts = timeouts;
    this.clock = clock;
  }

  /**
   * Why process {@code pid} of this host is not the Redis that reported it as its {@code
   * process_id}, or null when it is. A server in a container (or another pid namespace) reports its
   * own numbering, often 1, which here may be init or any other program: a restore or an AOF tool
   * that took it for Redis would wait for the wrong process to exit, or stop it. The process is
   * taken for Redis when its name ({@code /proc/<pid>/comm}) starts with {@code redis} or {@code
   * valkey}, or when it runs the server's {@code executable} (as {@code INFO server} names it).
   *
   * @param executable {@code executable} of {@code INFO server}, or null
   */
  public static String whyNotTheServer(long pid, String executable) {
    Optional<ProcessHandle> p = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
    if (p.isEmpty() || !p.get().isAlive()) {
      return "no process " + pid + " runs here";
    }
    String name = null;
    try {
      name = Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // no /proc: the executable below
    }
    if (name != null && (name.startsWith("redis") || name.startsWith("valkey"))) {
      return null;
    }
    Optional<String> command = p.get().info().command();
    if (executable != null && !executable.isEmpty() && command.isPresent()) {
      try {
        if (Path.of(executable).toRealPath().equals(Path.of(command.get()).toRealPath())) {
          return null;
        }
      } catch (IOException | SecurityException e) {
        // not this host's file
      }
    }
    return "process "
        + pid
        + " here is "
        + (name != null ? name : command.orElse("another program"))
        + ", not a Redis server";
  }

  /**
   * Refuses (exit 5) a server that runs under a service manager while the stop and start commands
   * are not both configured: stopped behind the manager's back, it would be restarted on the files
   * being changed.
   */
  public static void refuseUnmanageable(
      String address, String supervisedBy, ServiceCommands commands, String what) {
    if (supervisedBy != null && !commands.bothConfigured()) {
      throw RedisOpsException.refused(
          "Redis at "
              + address
              + " runs under a service manager: "
              + supervisedBy
              + "; it would restart Redis under "
              + what
              + ", so set datasets[].redis.stop-command and start-command"
              + " (e.g. [systemctl, stop, redis-server] and [systemctl, start, redis-server])");
    }
  }

  /**
   * The pidfile the default start command gives a server that has none: {@code <working
   * dir>/redis-ops-<port>.pid}.
   */
  public static Path defaultPidfile(Server server, int port) {
    return server.workingPath().resolve("redis-ops-" + port + ".pid");
  }

  public RedisEndpoint endpoint() {
    return endpoint;
  }

  public Server server() {
    return server;
  }

  public ServiceCommands commands() {
    return commands;
  }

  public Clock clock() {
    return clock;
  }

  /** The stop as words: {@code SHUTDOWN NOSAVE} or the configured command. */
  public String describeStop() {
    return commands.describeStop();
  }

  /** The start as words: the command line and whether it is configured. */
  public String describeStart() {
    return commands.describeStart(server, endpoint.port());
  }

  /**
   * A session to the server, or empty when nothing answers on its port (refused credentials still
   * throw).
   */
  public Optional<RedisSession> tryConnect() {
    return tryConnect(endpoint, PROBE_TIMEOUT);
  }

  /**
   * A session to {@code endpoint}, or empty when nothing answers there (refused credentials still
   * throw).
   */
  public static Optional<RedisSession> tryConnect(RedisEndpoint endpoint, Duration timeout) {
    try {
      return Optional.of(RedisConnector.connect(endpoint, timeout));
    } catch (RedisOpsException e) {
      if (e.exitCode() == ExitCode.FAILED) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** A session to the running server, or a failure naming it. */
  public RedisSession connect() {
    return RedisConnector.connect(endpoint, timeouts.redis());
  }

  /**
   * The PID of the Redis answering on the port, else of the pidfile when that process lives, else
   * -1.
   */
  public long runningPid() {
    Optional<RedisSession> s = tryConnect();
    if (s.isPresent()) {
      try (RedisSession redis = s.get()) {
        return Long.parseLong(redis.info("server").getOrDefault("process_id", "-1"));
      } catch (RedisOpsException | NumberFormatException e) {
        // answering but not usable: fall back to the pidfile
      }
    }
    return pidFromFile(Instant.EPOCH).filter(ProcessControl::alive).orElse(-1L);
  }

  /**
   * Stops Redis without letting it write ({@code SHUTDOWN NOSAVE}, or the configured stop command)
   * and waits until its process is gone. {@code force} (rollback): {@code SHUTDOWN NOSAVE NOW
   * FORCE} (a first AOF rewrite refuses a plain shutdown), and SIGKILL of an unsupervised process
   * that outlives the deadline: its files are being discarded.
   *
   * @return what was done, for the report
   */
  public String stop(boolean force) {
    long pid = runningPid();
    if (pid < 0) {
      return "Redis was not running";
    }
    Deadline gone = Deadline.after(clock, timeouts.stop());
    if (commands.stop() != null) {
      CommandRunner.run(commands.stop(), server.workingPath(), timeouts.command(), clock);
      gone = Deadline.after(clock, timeouts.stop());
    } else {
      shutdownNoSave(pid, force, gone);
    }
    if (awaitGone(pid, gone)) {
      return "stopped (pid " + pid + ")";
    }
    if (force && server.supervisedBy() == null) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      if (awaitGone(pid, Deadline.after(clock, timeouts.stop()))) {
        return "killed (pid " + pid + ") after it ignored SHUTDOWN";
      }
    }
    throw RedisOpsException.failed(
        "Redis (pid "
            + pid
            + ") at "
            + endpoint.address()
            + " is still running "
            + timeouts.stop().toSeconds()
            + " s after "
            + commands.describeStop());
  }

  /**
   * Sends {@code SHUTDOWN NOSAVE} and returns once Redis refused it (an error reply: exit 1) or its
   * process has exited ({@link #alive}), whichever comes first. Not once its connection closes: the
   * kernel closes a process's files only after it has released its memory, and that release (0.35 s
   * for a 1.5 GB Redis on the benchmark machine, after an exit 3 ms from the command) is no part of
   * the stop the restore has to wait for: nothing of the old process runs any more, and the new one
   * may load meanwhile (docs/redis-facts.md, "Starting and stopping Redis"). The reply is awaited
   * on a short-lived thread; the connection is closed when the wait ends.
   */
  private void shutdownNoSave(long pid, boolean force, Deadline gone) {
    Optional<RedisSession> s = tryConnect();
    if (s.isEmpty()) {
      return;
    }
    RedisSession redis = s.get();
    CompletableFuture<RuntimeException> reply = new CompletableFuture<>();
    Thread sender =
        new Thread(
            () -> {
              try {
                if (force) {
                  redis.command("SHUTDOWN", "NOSAVE", "NOW", "FORCE");
                } else {
                  redis.command("SHUTDOWN", "NOSAVE");
                }
                reply.complete(null);
              } catch (RuntimeException e) {
                reply.complete(e);
              }
            },
            "redis-ops-shutdown");
    sender.setDaemon(true);
    sender.start();
    try {
      gone.await(() -> reply.isDone() || !alive(pid), DOWN_POLL);
    } catch (IllegalStateException e) {
      throw RedisOpsException.failed("interrupted while waiting for Redis", e);
    } finally {
      redis.close();
    }
    RuntimeException e = reply.getNow(null);
    if (e == null) {
      return;
    }
    String msg = String.valueOf(e.getMessage());
    // The server closes the connection as it exits: that is the success case of SHUTDOWN; any
    // error reply is a refusal (ERR Errors trying to SHUTDOWN, NOPERM of an ACL user ...).
    if (e instanceof RedisErrorReply
        || msg.startsWith("ERR")
        || msg.contains("Errors trying to SHUTDOWN")) {
      throw RedisOpsException.failed(
          "Redis at " + endpoint.address() + " refused " + describeStop() + ": " + msg, e);
    }
  }

  /**
   * Runs the start command and waits until Redis answers {@code PING}, showing the load progress;
   * fails at once when the new process dies (killed, bad config, unloadable data), naming its log.
   */
  public Started start(ProgressListener progress) {
    Instant launched = clock.instant();
    if (commands.start() == null && server.configFile() == null) {
      throw RedisOpsException.failed(
          "Redis at "
              + endpoint.address()
              + " was started without a config file, so"
              + " redis-ops cannot start it again; set datasets[].redis.start-command or start it yourself");
    }
    if (commands.start() == null && server.pidfile() == null) {
      try {
        Files.deleteIfExists(defaultPidfile(server, endpoint.port()));
      } catch (IOException e) {
        // a stale file is told apart by its time below
      }
    }
    CommandRunner.run(
        commands.startFor(server, endpoint.port()),
        server.workingPath(),
        timeouts.command(),
        clock);
    long pid = awaitReady(progress, launched);
    return new Started(pid, Duration.between(launched, clock.instant()));
  }

  /**
   * Waits until the server answers PING; returns its PID.
   *
   * @param launched when the start command ran: an older pidfile is a stale one of a killed process
   */
  public long awaitReady(ProgressListener progress, Instant launched) {
    Deadline loadDeadline = Deadline.after(clock, timeouts.load());
    Deadline firstAnswer = Deadline.after(clock, timeouts.firstAnswer());
    long pid = -1;
    boolean loadingShown = false;
    boolean shown = false;
    RedisSession session = null;
    try {
      while (true) {
        if (session == null) {
          session = tryConnect().orElse(null);
        }
        if (session != null) {
          try {
            // INFO server (the PID) once; INFO persistence tells whether it still loads.
            Map<String, String> info =
                InfoParser.parse(
                    (pid < 0 ? session.command("INFO", "server") + "\n" : "")
                        + session.command("INFO", "persistence"));
            pid = Long.parseLong(info.getOrDefault("process_id", Long.toString(pid)));
            if ("1".equals(info.get("loading"))) {
              loadingShown = true;
              shown = true;
              LoadStatus st = LoadStatus.of(info, loadDeadline.elapsed().toSeconds());
              progress.status(
                  startTask(), "loading " + server.loads() + ", " + st.detail(), st.percent());
            } else if ("PONG".equals(session.command("PING"))) {
              return pid;
            }
          } catch (RuntimeException e) {
            // LOADING replies, or the connection dropped because the server died: decided below by
            // its PID
            session.close();
            session = null;
          }
        }
        if (session == null) {
          // A server busy loading may not answer for a while (it serves clients between chunks):
          // say we wait.
          shown = true;
          progress.status(
              startTask(),
              (loadingShown ? "loading, no answer for now, " : "waiting for its first answer, ")
                  + Sizes.seconds(loadDeadline.elapsed().toSeconds()),
              -1);
        }
        long filePid = pid > 0 ? pid : pidFromFile(launched).orElse(-1L);
        if (filePid > 0 && !alive(filePid) && session == null) {
          throw RedisOpsException.failed(
              "redis-server (pid "
                  + filePid
                  + ") exited before it was ready"
                  + (loadingShown ? " (while loading)" : "")
                  + logTail());
        }
        if (pid < 0 && session == null && firstAnswer.passed()) {
          throw RedisOpsException.failed(
              "Redis did not come up on "
                  + endpoint.address()
                  + " within "
                  + timeouts.firstAnswer().toSeconds()
                  + " s of '"
                  + String.join(" ", commands.startFor(server, endpoint.port()))
                  + "'"
                  + logTail());
        }
        if (loadDeadline.passed()) {
          throw RedisOpsException.failed(
              "Redis at "
                  + endpoint.address()
                  + " was not ready within "
                  + timeouts.load().toSeconds()
                  + " s"
                  + logTail());
        }
        pauseWhileDown();
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

  /**
   * One task name for the whole wait, so that a terminal keeps one line however the server answers.
   */
  private String startTask() {
    return "start Redis on " + endpoint.address();
  }

  /**
   * What INFO tells of a load in progress: {@code loading_loaded_perc}, bytes loaded of the total,
   * time so far and the server's own estimate of the time left ({@code loading_eta_seconds}).
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

  /** Waits until the process is gone; false when {@code deadline} passes first. */
  private boolean awaitGone(long pid, Deadline deadline) {
    try {
      return deadline.await(() -> !alive(pid), DOWN_POLL);
    } catch (IllegalStateException e) {
      throw RedisOpsException.failed("interrupted while waiting for Redis", e);
    }
  }

  /**
   * Whether the process runs: whether any of its threads may still run code of its own. A zombie
   * does not: it has exited and waits only for its parent to reap it. A daemonized Redis's parent
   * is init, which may reap late: 1.5 s on the benchmark machine, never under an init that does not
   * reap at all; {@link ProcessHandle#isAlive} counts a zombie as alive. Nor does a process whose
   * every thread is exiting (the kernel's {@code PF_EXITING}, set as a thread enters its exit,
   * after its last system call returned): the kernel is still releasing its memory and then closing
   * its files (0.35 s for a 1.5 GB Redis here, the whole stop otherwise), but it will not write,
   * rename or answer anything again.
   */
  static boolean alive(long pid) {
    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      return false;
    }
    return !allExited(Path.of("/proc", Long.toString(pid)));
  }

  /**
   * Whether every thread of the process at {@code proc} ({@code /proc/<pid>}) has exited or is
   * exiting ({@link #exited}); true when it is gone meanwhile, false when it cannot be told (no
   * /proc: {@link ProcessHandle#isAlive} alone decides).
   */
  static boolean allExited(Path proc) {
    List<Path> tasks;
    try (Stream<Path> list = Files.list(proc.resolve("task"))) {
      tasks = list.toList();
    } catch (IOException | RuntimeException e) {
      return !Files.exists(proc) && Files.exists(proc.getParent());
    }
    for (Path task : tasks) {
      if (!exited(task.resolve("stat"))) {
        return false;
      }
    }
    return true;
  }

  /** The kernel's {@code PF_EXITING} task flag (include/linux/sched.h). */
  private static final long PF_EXITING = 0x4;

  /**
   * Whether a {@code /proc/<pid>/stat} (or a thread's {@code task/<tid>/stat}) says zombie ({@code
   * Z}), dead ({@code X}) or exiting ({@code PF_EXITING} in its flags, the 9th field); also when it
   * is gone meanwhile. False when it cannot be read for another reason.
   */
  static boolean exited(Path stat) {
    String s;
    try {
      s = Files.readString(stat, StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      // gone meanwhile, or no /proc: isAlive decided
      return !Files.exists(stat.getParent()) && Files.exists(stat.getParent().getParent());
    }
    // "<pid> (<comm>) <state> <ppid> <pgrp> <session> <tty_nr> <tpgid> <flags> ...": comm may hold
    // spaces and parentheses, the state follows the last ')'
    int close = s.lastIndexOf(')');
    if (close < 0 || close + 2 >= s.length()) {
      return false;
    }
    String[] f = s.substring(close + 2).strip().split(" ");
    char state = f[0].isEmpty() ? '?' : f[0].charAt(0);
    if (state == 'Z' || state == 'X') {
      return true;
    }
    try {
      return f.length > 6 && (Long.parseLong(f[6]) & PF_EXITING) != 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * The PID in the pidfile (the configured one, else the default start's) when written at or after
   * {@code notBefore}.
   */
  private Optional<Long> pidFromFile(Instant notBefore) {
    Path file =
        server.pidfile() != null
            ? server.workingPath().resolve(server.pidfile())
            : commands.start() == null ? defaultPidfile(server, endpoint.port()) : null;
    if (file == null) {
      return Optional.empty();
    }
    try {
      if (Files.getLastModifiedTime(file).toInstant().isBefore(notBefore)) {
        return Optional.empty();
      }
      return Optional.of(Long.parseLong(Files.readString(file).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * The last lines of the Redis log, for failure messages ({@code ; see <log>, which ends: ...}),
   * or empty.
   */
  public String logTail() {
    if (server.logfile() == null) {
      return "";
    }
    Path log = server.workingPath().resolve(server.logfile());
    try {
      List<String> lines =
          Arrays.asList(new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\n"));
      List<String> last =
          lines.subList(Math.max(0, lines.size() - 3), lines.size()).stream()
              .map(String::strip)
              .filter(l -> !l.isEmpty())
              .toList();
      return "; see " + log + (last.isEmpty() ? "" : ", which ends: " + String.join(" | ", last));
    } catch (IOException e) {
      return "; see " + log;
    }
  }

  /** The pause between two probes of a wait. */
  public static void pause() {
    pause(Deadline.POLL);
  }

  private static void pauseWhileDown() {
    pause(DOWN_POLL);
  }

  private static void pause(Duration d) {
    try {
      Deadline.pause(d);
    } catch (IllegalStateException e) {
      throw RedisOpsException.failed("interrupted while waiting for Redis", e);
    }
  }
}
