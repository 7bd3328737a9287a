package io.redisops.recovery.aof;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Helpers for AOF tests: file digests, the incr file, and stopping a Redis that redis-ops
 * restarted.
 */
final class AofFixtures {
  private AofFixtures() {}

  /** SHA-256 of every file in a folder, by name. */
  static Map<String, String> digests(Path dir) {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        out.put(f.getFileName().toString(), io.redisops.recovery.kernel.Quarantine.sha256(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static Path aofDir(Path dataDir) {
    return dataDir.resolve("appendonlydir");
  }

  /** The last incr file named by the manifest. */
  static Path lastIncr(Path dataDir) {
    return AofLocator.fromDir(dataDir).last().path();
  }

  /**
   * Stops a Redis that redis-ops started (a daemon, not a child of the test JVM) by its pid file,
   * which the default start command of {@link io.redisops.recovery.kernel.ProcessControl} names in
   * the working directory: SIGTERM, then SIGKILL after a deadline.
   */
  static void stopRestarted(Path workingDir, int port) {
    Path pidFile = workingDir.resolve("redis-ops-" + port + ".pid");
    try {
      if (!Files.exists(pidFile)) {
        return;
      }
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      stopPid(pid);
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("unable to read " + pidFile, e);
    }
  }

  /** The service with the real redis-check-aof, the system clock and the default waits. */
  static AofService service() {
    return new AofService(
        new AofChecker(new CheckAofTool()),
        java.time.Clock.systemUTC(),
        io.redisops.recovery.kernel.ProcessControl.Timeouts.defaults(),
        Duration.ofSeconds(2));
  }

  static void stopPid(long pid) {
    ProcessHandle.of(pid)
        .ifPresent(
            h -> {
              h.destroy();
              try {
                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
              } catch (Exception e) {
                h.destroyForcibly();
                h.onExit()
                    .orTimeout(
                        Duration.ofSeconds(10).toSeconds(), java.util.concurrent.TimeUnit.SECONDS)
                    .join();
              }
            });
  }
}
