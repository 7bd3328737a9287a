package io.redisops.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every process the testkit starts, with a JVM shutdown hook as a backstop.
 *
 * <p>Processes are normally stopped by their owners (the extensions stop them in their
 * after-callbacks). If the JVM exits without that having happened (a crashed fork, {@code
 * System.exit}, Ctrl-C), the hook kills every registered process still alive with SIGKILL, so no
 * {@code redis-server} outlives the test run. Tests may register processes they start themselves.
 */
public final class ProcessRegistry {

  private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ProcessRegistry::killAll, "redis-ops-testkit-reaper"));
  }

  private ProcessRegistry() {}

  /**
   * Registers a process to be killed at JVM exit unless {@link #unregister(ProcessHandle)
   * unregistered} first.
   */
  public static void register(ProcessHandle process) {
    LIVE.add(process);
  }

  /** Forgets a process that its owner has stopped. */
  public static void unregister(ProcessHandle process) {
    LIVE.remove(process);
  }

  /**
   * Stops the process a pid file names, if it runs: SIGTERM, up to 10 s, then SIGKILL. For servers
   * that the code under test restarted itself (a restore or an AOF repair starts Redis again as a
   * daemon, outside the testkit).
   *
   * @param pidFile the pid file a Redis server wrote; nothing happens when it does not exist or
   *     holds no number
   */
  public static void stopByPidFile(Path pidFile) {
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile).strip());
    } catch (IOException | NumberFormatException e) {
      return;
    }
    ProcessHandle.of(pid)
        .ifPresent(
            h -> {
              h.destroy();
              if (h.onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS).join() == null) {
                h.destroyForcibly();
                h.onExit().completeOnTimeout(null, 10, TimeUnit.SECONDS).join();
              }
            });
  }

  /** The registered processes that are still alive (for tests and diagnostics). */
  public static List<ProcessHandle> alive() {
    return LIVE.stream().filter(ProcessHandle::isAlive).toList();
  }

  private static void killAll() {
    for (ProcessHandle process : LIVE) {
      if (process.isAlive()) {
        // At JVM exit there is no time for a graceful shutdown; SIGKILL cannot be refused.
        process.destroyForcibly();
      }
    }
  }
}
