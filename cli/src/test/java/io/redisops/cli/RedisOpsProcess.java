package io.redisops.cli;

import io.redisops.testkit.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code redis-ops} jar ({@code cli/target/redis-ops.jar}, built by {@code package}) run
 * as a separate process: {@code java -jar redis-ops.jar args...}. Output goes to files (no pipe can
 * fill up and block the child), the environment is controlled (the caller's {@code REDIS_OPS_*}
 * variables are removed), every run has a deadline, and a process that outlives it is killed with
 * SIGKILL by its PID.
 */
final class RedisOpsProcess {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);

  private final List<String> args;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final List<String> wrapper = new ArrayList<>();
  private Path workDir;

  private RedisOpsProcess(List<String> args) {
    this.args = List.copyOf(args);
  }

  /** {@code redis-ops args...}, not started. */
  static RedisOpsProcess of(String... args) {
    return new RedisOpsProcess(Arrays.asList(args));
  }

  /** Runs {@code redis-ops args...} with the default environment and deadline. */
  static Result run(String... args) {
    return of(args).run(DEFAULT_TIMEOUT);
  }

  /** Sets (or, with a null value, removes) one environment variable of the child. */
  RedisOpsProcess env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /**
   * Runs the JVM through this command (e.g. {@code setpriv --reuid=65534 ...} to run as another
   * user, or {@code unshare -m sh -c '...; exec "$@"' sh} for a private mount), which must exec its
   * arguments.
   */
  RedisOpsProcess wrap(String... command) {
    wrapper.addAll(Arrays.asList(command));
    return this;
  }

  RedisOpsProcess workDir(Path dir) {
    this.workDir = dir;
    return this;
  }

  /** Runs to completion; kills the process and fails if it does not exit within {@code timeout}. */
  Result run(Duration timeout) {
    try (Background p = start()) {
      return p.await(timeout);
    }
  }

  /**
   * Starts the process; close the returned handle (in a finally or try-with-resources) to be sure
   * it is gone.
   */
  Background start() {
    try {
      Path out = Files.createTempFile("redis-ops-", ".out");
      Path err = Files.createTempFile("redis-ops-", ".err");
      List<String> command = new ArrayList<>(wrapper);
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      boolean coverage = wrapper.isEmpty() && Boolean.getBoolean("redisops.it.cliCoverage");
      command.addAll(jvmOptions(!coverage, args));
      if (coverage) {
        coverageAgent().ifPresent(command::add);
      }
      command.add("-jar");
      command.add(jar().toString());
      command.addAll(args);
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      if (workDir != null) {
        pb.directory(workDir.toFile());
      }
      pb.environment().keySet().removeIf(k -> k.startsWith("REDIS_OPS_"));
      env.forEach(
          (k, v) -> {
            if (v == null) {
              pb.environment().remove(k);
            } else {
              pb.environment().put(k, v);
            }
          });
      return new Background(pb.start(), out, err, args);
    } catch (IOException e) {
      throw new UncheckedIOException("unable to start redis-ops " + args, e);
    }
  }

  /** util-linux {@code script}, which runs a command on a pseudo-terminal. */
  static final Path SCRIPT = Path.of("/usr/bin/script");

  /**
   * Runs on a pseudo-terminal (util-linux {@code script}: stdin, stdout and stderr of the jar are
   * the terminal) with {@code typed} as what the operator types; stdout and stderr arrive together
   * in {@link Result#stdout()}. Same environment rules and deadline as {@link #run(Duration)}; the
   * wrapper is not supported here.
   */
  Result runOnTerminal(String typed, Duration timeout) {
    if (!wrapper.isEmpty()) {
      throw new IllegalStateException("runOnTerminal does not support wrap()");
    }
    try {
      StringBuilder cmd = new StringBuilder();
      List<String> words =
          new ArrayList<>(
              List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      words.addAll(jvmOptions(true, args));
      words.addAll(List.of("-jar", jar().toString()));
      words.addAll(args);
      for (String w : words) {
        cmd.append('\'').append(w.replace("'", "'\\''")).append("' ");
      }
      Path in = Files.createTempFile("redis-ops-", ".typed");
      Files.writeString(in, typed, StandardCharsets.UTF_8);
      Path out = Files.createTempFile("redis-ops-", ".tty");
      ProcessBuilder pb =
          new ProcessBuilder(SCRIPT.toString(), "-qefc", cmd.toString(), "/dev/null")
              .redirectInput(in.toFile())
              .redirectOutput(out.toFile())
              .redirectErrorStream(true);
      if (workDir != null) {
        pb.directory(workDir.toFile());
      }
      pb.environment().keySet().removeIf(k -> k.startsWith("REDIS_OPS_"));
      env.forEach(
          (k, v) -> {
            if (v == null) {
              pb.environment().remove(k);
            } else {
              pb.environment().put(k, v);
            }
          });
      Process p = pb.start();
      try {
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new AssertionError(
              "redis-ops "
                  + args
                  + " on a terminal did not exit within "
                  + timeout.toSeconds()
                  + " s; output:\n"
                  + Background.read(out));
        }
        return new Result(args, p.exitValue(), Background.read(out), "");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for redis-ops", e);
      } finally {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        Files.deleteIfExists(in);
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("unable to start redis-ops " + args + " on a terminal", e);
    }
  }

  /**
   * The words for which the launcher (src/main/dist/redis-ops) takes redis-ops-data.jsa, unless the
   * command is push.
   */
  private static final Set<String> DATA_ARCHIVE_WORDS = Set.of("fetch", "sentinel", "offsite");

  /**
   * The CLI's JVM options in tests: the launcher's default (serial GC), the class-data-sharing
   * archive the package phase made next to the jar, chosen by the command's words as the launcher
   * chooses it (not with the coverage agent, whose classes it does not hold), and only the C1
   * compiler: a command in a test handles little data, and the C2 compiler's work was most of each
   * short run's CPU, which the suite's many CLI runs share two cores for.
   */
  private static List<String> jvmOptions(boolean archive, List<String> args) {
    List<String> options = new ArrayList<>(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    Path target = moduleDir().resolve("target");
    Path jsa = target.resolve("redis-ops.jsa");
    if (args.stream().anyMatch(DATA_ARCHIVE_WORDS::contains)
        && !args.contains("push")
        && Files.isRegularFile(target.resolve("redis-ops-data.jsa"))) {
      jsa = target.resolve("redis-ops-data.jsa");
    }
    if (archive && Files.isRegularFile(jsa)) {
      options.addAll(
          List.of("-XX:SharedArchiveFile=" + jsa, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
    }
    if (args.contains("push")) {
      // as the launcher gives push
      options.addAll(
          List.of(
              "-XX:MaxNewSize=8m",
              "-XX:CompileCommand=quiet",
              "-XX:CompileCommand=dontinline,software.amazon.awssdk.*::*"));
    } else if (args.contains("backup") && !args.contains("fetch") && !args.contains("daemon")) {
      options.add("-XX:MaxNewSize=8m"); // as the launcher gives backup
    }
    return options;
  }

  /**
   * JaCoCo's agent of this JVM (failsafe starts the ITs with it when the build measures coverage),
   * passed on with {@code -Dit.cli.coverage=true} so that what the CLI runs counts too (about 0.9 s
   * more at each start). None under a wrapper: it may run as a user who cannot write the coverage
   * file.
   */
  private static Optional<String> coverageAgent() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("-javaagent:") && a.contains("jacoco"))
        .findFirst();
  }

  /** The shaded jar built by this module's {@code package} phase. */
  static Path jar() {
    Path jar = moduleDir().resolve("target").resolve("redis-ops.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: run the integration tests with 'mvn verify' (package builds it)");
    }
    return jar;
  }

  /** The cli module's folder (Maven runs tests there and sets {@code basedir}). */
  static Path moduleDir() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
        .toAbsolutePath()
        .normalize();
  }

  /** The repository root: the parent of the cli module, where quickstart.sh lives. */
  static Path projectRoot() {
    return moduleDir().getParent();
  }

  /**
   * A TCP port on 127.0.0.1 with nothing listening on it at the time of the call; never 6379 or
   * 26379.
   */
  static int freePort() {
    return FreePorts.next();
  }

  /**
   * A started {@code redis-ops} process. {@link #close()} kills it with SIGKILL if it still runs.
   */
  static final class Background implements AutoCloseable {
    private final Process process;
    private final Path out;
    private final Path err;
    private final List<String> args;

    private Background(Process process, Path out, Path err, List<String> args) {
      this.process = process;
      this.out = out;
      this.err = err;
      this.args = args;
    }

    long pid() {
      return process.pid();
    }

    boolean isAlive() {
      return process.isAlive();
    }

    /** Waits for the exit; on timeout kills it (SIGKILL) and fails with what it printed so far. */
    Result await(Duration timeout) {
      try {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          kill9();
          throw new AssertionError(
              "redis-ops "
                  + args
                  + " did not exit within "
                  + timeout.toSeconds()
                  + " s; stdout:\n"
                  + read(out)
                  + "\nstderr:\n"
                  + read(err));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for redis-ops", e);
      }
      return new Result(args, process.exitValue(), read(out), read(err));
    }

    /** SIGKILL (on Linux {@code destroyForcibly} is kill -9) and wait until the process is gone. */
    /** SIGTERM, as a service manager stops a daemon. */
    void terminate() {
      process.destroy();
    }

    void kill9() {
      process.destroyForcibly();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("redis-ops pid " + process.pid() + " survived SIGKILL");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for redis-ops to die", e);
      }
    }

    String stdoutSoFar() {
      return read(out);
    }

    String stderrSoFar() {
      return read(err);
    }

    @Override
    public void close() {
      try {
        if (process.isAlive()) {
          kill9();
        }
      } finally {
        try {
          Files.deleteIfExists(out);
          Files.deleteIfExists(err);
        } catch (IOException ignored) {
          // temporary files of a finished run
        }
      }
    }

    private static String read(Path file) {
      try {
        return Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "<unable to read " + file + ": " + e + ">";
      }
    }
  }

  /** What a finished run left: exit code and output. */
  record Result(List<String> args, int exitCode, String stdout, String stderr) {
    List<String> stdoutLines() {
      return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
    }

    List<String> stderrLines() {
      return stderr.isEmpty() ? List.of() : List.of(stderr.split("\n"));
    }

    /** For assertion messages: the whole run in a few lines. */
    String describe() {
      return "redis-ops "
          + String.join(" ", args)
          + "\nexit "
          + exitCode
          + "\n--- stdout ---\n"
          + stdout
          + "--- stderr ---\n"
          + stderr;
    }
  }
}
