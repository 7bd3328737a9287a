package io.redisops.recovery.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a service manager supervises the Redis process: it would restart a Redis stopped under a
 * restore or an AOF repair (and then load the wrong files, or fight the tool), so stop and start
 * must go through it.
 */
public final class ServiceManager {
  private ServiceManager() {}

  /**
   * What supervises the process, e.g. {@code systemd (process_supervised)} or {@code systemd unit
   * redis-server.service}, or empty.
   *
   * @param infoServer {@code INFO server} of the target
   * @param cgroup the content of {@code /proc/<pid>/cgroup} of the Redis process, or null when
   *     unreadable
   * @param ownCgroup the same for this process (a Redis in our own cgroup was started by us or our
   *     shell)
   */
  public static Optional<String> detect(
      Map<String, String> infoServer, String cgroup, String ownCgroup) {
    String supervised = infoServer.getOrDefault("process_supervised", "no");
    if (!supervised.isEmpty() && !supervised.equals("no")) {
      return Optional.of(supervised + " (INFO server process_supervised:" + supervised + ")");
    }
    if (cgroup == null || cgroup.equals(ownCgroup)) {
      return Optional.empty();
    }
    for (String line : cgroup.split("\n")) {
      int colon = line.lastIndexOf(':');
      String path = colon < 0 ? line : line.substring(colon + 1);
      String unit = path.substring(path.lastIndexOf('/') + 1);
      // A system service: "redis-server.service"; the user manager "user@1000.service" is not a
      // Redis unit.
      if (unit.endsWith(".service") && !unit.startsWith("user@")) {
        return Optional.of("systemd unit " + unit + " (cgroup " + path + ")");
      }
    }
    return Optional.empty();
  }

  public static String readCgroup(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "cgroup")).strip();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * What supervises the Redis whose {@code INFO server} this is, read from its and our own cgroup;
   * or empty.
   */
  public static Optional<String> detect(Map<String, String> infoServer) {
    long pid;
    try {
      pid = Long.parseLong(infoServer.getOrDefault("process_id", "-1"));
    } catch (NumberFormatException e) {
      pid = -1;
    }
    return detect(
        infoServer, pid < 0 ? null : readCgroup(pid), readCgroup(ProcessHandle.current().pid()));
  }
}
