package io.redisops.recovery.aof;

import io.redisops.error.RedisOpsException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code redis-check-aof} (the authority on what Redis will load) and captures its
 * output. {@code --fix} asks {@code Continue? [y/N]:} on stdin; {@link #fix} answers {@code y}.
 */
public final class CheckAofTool {
  /** How long one run may take: a multi-gigabyte AOF is read at disk speed. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

  private final String executable;
  private final Duration timeout;

  /** Uses {@code redis-check-aof} from PATH. */
  public CheckAofTool() {
    this("redis-check-aof", DEFAULT_TIMEOUT);
  }

  public CheckAofTool(String executable, Duration timeout) {
    this.executable = executable;
    this.timeout = timeout;
  }

  /** The output and exit code of one run. */
  public record Output(int exitCode, String text) {}

  /** {@code redis-check-aof TARGET}: only reads. */
  public Output check(Path target) {
    return run(List.of(target.toString()), null);
  }

  /**
   * {@code redis-check-aof --fix TARGET}, answering its prompt with {@code y}: cuts the first
   * damaged file.
   */
  public Output fix(Path target) {
    return run(List.of("--fix", target.toString()), "y\n");
  }

  private Output run(List<String> args, String stdin) {
    List<String> command = new ArrayList<>();
    command.add(executable);
    command.addAll(args);
    Path target = Path.of(args.get(args.size() - 1));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (target.getParent() != null && Files.isDirectory(target.getParent())) {
      builder.directory(target.getParent().toFile());
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to run "
              + executable
              + ": "
              + e.getMessage()
              + "; install redis-tools (it provides redis-check-aof)",
          e);
    }
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.US_ASCII));
      }
    } catch (IOException e) {
      // it exited before reading its answer; its output says why
    }
    // Output is read on this thread: redis-check-aof prints a few lines per file, never enough to
    // fill memory.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream is = process.getInputStream()) {
      is.transferTo(out);
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw RedisOpsException.failed(
            executable + " did not finish within " + timeout.toMinutes() + " min");
      }
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to read the output of " + executable + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw RedisOpsException.failed("interrupted while " + executable + " ran");
    }
    return new Output(process.exitValue(), out.toString(StandardCharsets.UTF_8));
  }
}
