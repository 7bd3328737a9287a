package io.redisops.schedules.observe;

import io.redisops.text.Durations;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a configured program (argv, no shell) with the event JSON on stdin. It must exit 0 within
 * the timeout, else it and its children are killed and the delivery fails. Its output goes to a
 * private temporary file so a chatty or stuck reader can never block it; the last line is quoted
 * when it fails.
 */
final class CommandHook implements Hook {
  /** How long a process may take to end after SIGTERM before it is killed. */
  private static final Duration TERM_GRACE = Duration.ofSeconds(1);

  private final List<String> argv;
  private final Duration timeout;

  CommandHook(List<String> argv, Duration timeout) {
    this.argv = List.copyOf(argv);
    this.timeout = timeout;
  }

  @Override
  public String describe() {
    return "command " + argv.get(0);
  }

  @Override
  public void deliver(byte[] json) throws IOException, InterruptedException {
    Path output = Files.createTempFile("redis-ops-notify-", ".out"); // 0600 on POSIX
    try {
      Process p =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      try {
        try (OutputStream in = p.getOutputStream()) {
          in.write(json);
        } catch (IOException e) {
          // The program need not read its stdin (e.g. it only sends a fixed alert): a closed pipe
          // is not a failure.
        }
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          kill(p);
          throw new IOException(
              "timed out after " + Durations.format(timeout) + "; killed (pid " + p.pid() + ")");
        }
      } catch (InterruptedException e) {
        kill(p);
        throw e;
      }
      if (p.exitValue() != 0) {
        throw new IOException("exit status " + p.exitValue() + lastLine(output));
      }
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /**
   * SIGTERM to the program and its descendants, SIGKILL to whatever still runs after a short grace.
   */
  private static void kill(Process p) throws InterruptedException {
    List<ProcessHandle> family = new java.util.ArrayList<>(p.descendants().toList());
    family.add(p.toHandle());
    family.forEach(ProcessHandle::destroy);
    if (!p.waitFor(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
      family.forEach(ProcessHandle::destroyForcibly);
      p.waitFor(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }
    family.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  private static String lastLine(Path output) {
    try {
      List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0; i--) {
        String line = lines.get(i).strip();
        if (!line.isEmpty()) {
          return ": " + (line.length() > 200 ? line.substring(0, 200) + "..." : line);
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // the exit status alone still says enough
    }
    return "";
  }
}
