package io.redisops.testkit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A {@code redis-server} or {@code redis-sentinel} child process of the test JVM, on 127.0.0.1 and
 * a free port.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>The first {@link #start()} picks a free port (never 6379 or 26379), writes the config file
 *       into {@link #dir()} and starts the program with it; if the port was taken meanwhile it
 *       retries with another. Later starts reuse the same port, directory and config file <em>as it
 *       is on disk then</em> (a test or the code under test may have edited it, Sentinel rewrites
 *       it), which is what restart tests need.
 *   <li>{@link #start()} returns once the process answers {@code PING} with {@code PONG} ({@code
 *       LOADING} counts as not yet); if the process dies or the deadline passes it fails with the
 *       tail of the log.
 *   <li>{@link #stop()} sends SIGTERM to the PID, waits for the exit with a deadline, then sends
 *       SIGKILL. Every process is also registered with {@link ProcessRegistry}, which kills it if
 *       the JVM exits first.
 * </ul>
 *
 * Not thread-safe beyond its own methods being synchronized.
 */
public abstract sealed class RedisProcess implements AutoCloseable
    permits RedisServer, RedisSentinel {

  static final String HOST = "127.0.0.1";
  private static final int PORT_ATTEMPTS = 5;
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);

  private final String program;
  private final ServerBuild build;
  private final Path dir;
  private final boolean ownsDir;
  private final Path configFile;
  private final Path logFile;
  private final Path outputFile;
  private final String username;
  private final String password;
  private final Duration startTimeout;
  private final Duration stopTimeout;

  private int port;
  private long pid = -1;
  private Process process;
  private RedisClient client;
  private StatefulConnection<String, String> connection;

  RedisProcess(
      String program,
      ServerBuild build,
      Path dir,
      String baseName,
      String username,
      String password,
      Duration startTimeout,
      Duration stopTimeout) {
    this.program = program;
    this.build = build == null ? ServerBuild.DEBIAN : build;
    this.ownsDir = dir == null;
    this.dir = ownsDir ? createTempDir(program) : createDir(dir);
    this.configFile = this.dir.resolve(baseName + ".conf");
    this.logFile = this.dir.resolve(baseName + ".log");
    // stdout/stderr of the process: Redis prints fatal config errors there before its log file is
    // open
    this.outputFile = this.dir.resolve(baseName + ".out");
    this.username = username;
    this.password = password;
    this.startTimeout = startTimeout;
    this.stopTimeout = stopTimeout;
  }

  /** The whole config file for the first start, on {@code port}. */
  abstract List<String> configLines(int port);

  /**
   * Starts the process and waits until it answers PING.
   *
   * @throws IllegalStateException if it is already running, the program is not in PATH, the process
   *     dies, or it does not answer within the start timeout (the message carries the log tail)
   */
  public final synchronized void start() {
    if (isAlive()) {
      throw new IllegalStateException(this + " is already running");
    }
    Path executable = build.executable(program);
    if (port != 0) {
      launch(executable);
      awaitReady();
      return;
    }
    for (int attempt = 1; ; attempt++) {
      port = FreePorts.next();
      writeConfig();
      // A fresh log per attempt, so the bind error of a failed attempt is not mistaken for this
      // one's
      deleteQuietly(logFile);
      deleteQuietly(outputFile);
      launch(executable);
      try {
        awaitReady();
        return;
      } catch (PortInUse e) {
        // Another process took the port between our probe and the bind: pick another one.
        if (attempt == PORT_ATTEMPTS) {
          throw new IllegalStateException(
              program + " could not bind a free port after " + attempt + " attempts", e);
        }
      }
    }
  }

  /**
   * Stops the process: SIGTERM by PID, wait up to the stop timeout, then SIGKILL. Does nothing if
   * not running.
   */
  public final synchronized void stop() {
    closeClient();
    if (process == null) {
      return;
    }
    ProcessHandle handle = process.toHandle();
    if (handle.isAlive()) {
      handle
          .destroy(); // SIGTERM: Redis shuts down cleanly (and may save, as a real shutdown would)
      if (!waitForExit(stopTimeout)) {
        handle.destroyForcibly();
        if (!waitForExit(KILL_TIMEOUT)) {
          throw new IllegalStateException(
              this + " survived SIGKILL for " + KILL_TIMEOUT.toSeconds() + " s");
        }
      }
    }
    ProcessRegistry.unregister(handle);
  }

  /**
   * Kills the process with SIGKILL (a crash: no save, no clean shutdown) and waits until it is
   * gone.
   */
  public final synchronized void kill9() {
    closeClient();
    if (process == null) {
      return;
    }
    ProcessHandle handle = process.toHandle();
    handle.destroyForcibly();
    if (!waitForExit(KILL_TIMEOUT)) {
      throw new IllegalStateException(
          this + " survived SIGKILL for " + KILL_TIMEOUT.toSeconds() + " s");
    }
    ProcessRegistry.unregister(handle);
  }

  /** Stops the process ({@link #stop()}) and deletes its directory if the testkit created it. */
  @Override
  public synchronized void close() {
    stop();
    if (ownsDir) {
      deleteTree(dir);
    }
  }

  /** Whether the process is running now. */
  public final synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Always {@code 127.0.0.1}. */
  public final String host() {
    return HOST;
  }

  /** The port, fixed at the first start. @throws IllegalStateException before the first start */
  public final synchronized int port() {
    if (port == 0) {
      throw new IllegalStateException(program + " has not been started yet");
    }
    return port;
  }

  /**
   * PID of the last started process (it may have exited since). @throws IllegalStateException
   * before the first start
   */
  public final synchronized long pid() {
    if (pid < 0) {
      throw new IllegalStateException(program + " has not been started yet");
    }
    return pid;
  }

  /** The working directory: config file, log and data files live here. */
  /** Which server of the matrix runs (Debian's Redis 7.0 unless the builder chose another). */
  public final ServerBuild build() {
    return build;
  }

  public final Path dir() {
    return dir;
  }

  /**
   * The config file the process was started with; written at the first start, reused afterwards.
   */
  public final Path configFile() {
    return configFile;
  }

  /** The log file named by the {@code logfile} directive. */
  public final Path logFile() {
    return logFile;
  }

  /** {@code redis://127.0.0.1:PORT}, without credentials. */
  public final String uri() {
    return "redis://" + HOST + ":" + port();
  }

  /**
   * The URI with the credentials the testkit's own clients use: {@code
   * redis://user:password@127.0.0.1:PORT}, {@code redis://:password@...} for the default user, or
   * {@link #uri()} when none are needed.
   */
  public final String uriWithCredentials() {
    if (password == null) {
      return uri();
    }
    String user = username == null ? "" : encode(username);
    return "redis://" + user + ":" + encode(password) + "@" + HOST + ":" + port();
  }

  /** The password the testkit's own clients log in with, or null when none is needed. */
  public final String password() {
    return password;
  }

  /** The ACL user the testkit's own clients log in as, or null for the default user. */
  public final String username() {
    return username;
  }

  /**
   * The last {@code lines} lines of the log file, followed by the process's own stdout/stderr when
   * it printed anything (fatal config errors appear only there). Empty when nothing was logged yet.
   */
  public final String logTail(int lines) {
    StringBuilder tail = new StringBuilder(String.join("\n", lastLines(logFile, lines)));
    List<String> output = lastLines(outputFile, lines);
    if (!output.isEmpty()) {
      tail.append("\n--- stdout/stderr of ")
          .append(program)
          .append(" ---\n")
          .append(String.join("\n", output));
    }
    return tail.toString();
  }

  @Override
  public String toString() {
    return program
        + " "
        + HOST
        + ":"
        + (port == 0 ? "?" : port)
        + (pid < 0 ? "" : " (pid " + pid + ")");
  }

  /**
   * Sends one command over a fresh connection with the testkit's credentials (for probes, not for
   * tests).
   */
  final Object call(String... command) {
    return Resp.call(HOST, port(), username, password, PROBE_TIMEOUT, command);
  }

  /**
   * The Lettuce connection, created on first use (and again after a restart or a lost connection).
   */
  final synchronized <C extends StatefulConnection<String, String>> C connection(
      Class<C> type, Function<RedisClient, C> connect) {
    if (!isAlive()) {
      throw new IllegalStateException(this + " is not running");
    }
    if (connection != null && (!connection.isOpen() || !type.isInstance(connection))) {
      closeClient();
    }
    if (connection == null) {
      client = LettuceResources.client(HOST, port, username, password);
      connection = connect.apply(client);
    }
    return type.cast(connection);
  }

  private void closeClient() {
    if (connection != null) {
      connection.close();
      connection = null;
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      client = null;
    }
  }

  private void writeConfig() {
    List<String> lines = new ArrayList<>();
    lines.add("# written by the redis-ops testkit");
    lines.addAll(configLines(port));
    try {
      Files.write(configFile, lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("unable to write config file '" + configFile + "'", e);
    }
  }

  private void launch(Path executable) {
    ProcessBuilder builder =
        new ProcessBuilder(executable.toString(), configFile.toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(outputFile.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("unable to start " + executable + " " + configFile, e);
    }
    pid = process.pid();
    ProcessRegistry.register(process.toHandle());
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    String last = "no answer yet";
    while (true) {
      if (!process.isAlive()) {
        ProcessRegistry.unregister(process.toHandle());
        String tail = logTail(40);
        if (tail.contains("Address already in use")) {
          throw new PortInUse(this + " could not bind its port");
        }
        throw new IllegalStateException(
            this
                + " exited with code "
                + process.exitValue()
                + " while starting; last lines of "
                + logFile
                + ":\n"
                + tail);
      }
      try {
        Object reply = call("PING");
        if ("PONG".equals(reply)) {
          return;
        }
        last = String.valueOf(reply);
      } catch (Resp.ErrorReply | UncheckedIOException e) {
        last = e.getMessage(); // LOADING, or not listening yet
      }
      if (System.nanoTime() - deadline >= 0) {
        kill9();
        throw new IllegalStateException(
            this
                + " did not answer PING within "
                + startTimeout.toMillis()
                + " ms (last answer: "
                + last
                + "); last lines of "
                + logFile
                + ":\n"
                + logTail(40));
      }
      Await.pause();
    }
  }

  private boolean waitForExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping " + this, e);
    }
  }

  private static List<String> lastLines(Path file, int count) {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    try {
      // Lossy decoding on purpose: a log line cut mid-character must not hide the rest of the tail.
      String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
      List<String> all = Arrays.asList(text.split("\n"));
      if (text.isEmpty()) {
        return List.of();
      }
      return all.subList(Math.max(0, all.size() - count), all.size());
    } catch (IOException e) {
      return List.of("(unable to read " + file + ": " + e.getMessage() + ")");
    }
  }

  /** Quotes a value for a Redis config file. */
  static String quote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static Path createTempDir(String program) {
    try {
      return Files.createTempDirectory("redis-ops-" + program + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("unable to create a temporary folder", e);
    }
  }

  private static Path createDir(Path dir) {
    try {
      return Files.createDirectories(dir.toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException("unable to create folder '" + dir + "'", e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("unable to delete '" + file + "'", e);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // A leftover temporary folder is harmless; failing the test for it is not worth it.
    }
  }

  /** The port was taken by someone else between the probe and the bind. */
  private static final class PortInUse extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PortInUse(String message) {
      super(message);
    }
  }
}
