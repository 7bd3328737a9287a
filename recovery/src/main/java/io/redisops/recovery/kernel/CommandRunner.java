package io.redisops.recovery.kernel;

import io.redisops.error.RedisOpsException;
import io.redisops.time.Deadline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Runs a configured start or stop command and reports its exit code and the tail of its output. */
public final class CommandRunner {
  private CommandRunner() {}

  /**
   * Runs {@code command} in {@code cwd} with stdin from /dev/null; fails (exit 1) when it cannot be
   * started, exits non-zero or runs longer than {@code timeout} on {@code clock}. Output goes to a
   * file, not a pipe: a daemon that keeps the pipe open must not make us wait for it.
   */
  public static void run(List<String> command, Path cwd, Duration timeout, Clock clock) {
    Path out = null;
    try {
      out = Files.createTempFile("redis-ops-command-", ".out");
      Process p =
          new ProcessBuilder(command)
              .directory(cwd.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      // The start command of a restore runs while Redis is down: its exit is seen within 10 ms.
      if (!Deadline.after(clock, timeout).await(() -> !p.isAlive(), ProcessControl.DOWN_POLL)) {
        p.destroyForcibly();
        throw RedisOpsException.failed(
            "'"
                + String.join(" ", command)
                + "' did not finish within "
                + timeout.toSeconds()
                + " s"
                + tail(out));
      }
      if (p.exitValue() != 0) {
        throw RedisOpsException.failed(
            "'" + String.join(" ", command) + "' exited with code " + p.exitValue() + tail(out));
      }
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to run '" + String.join(" ", command) + "': " + e.getMessage(), e);
    } catch (IllegalStateException e) {
      throw RedisOpsException.failed(
          "interrupted while running '" + String.join(" ", command) + "'", e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // a temporary file left in /tmp is harmless
        }
      }
    }
  }

  private static String tail(Path out) {
    try {
      String s = new String(Files.readAllBytes(out), StandardCharsets.UTF_8).strip();
      if (s.isEmpty()) {
        return "";
      }
      String[] lines = s.split("\n");
      return ": " + lines[lines.length - 1].strip();
    } catch (IOException e) {
      return "";
    }
  }
}
