package io.redisops.recovery.kernel;

import java.util.List;

/**
 * How restore and the AOF tools stop and start a Redis ({@code datasets[].redis.stop-command} /
 * {@code start-command}).
 *
 * @param start the start command, or null for {@code <the running server's executable> <config
 *     file> --daemonize yes} (the same program again: {@code redis-server} from PATH may be another
 *     version)
 * @param stop the stop command, or null for {@code SHUTDOWN NOSAVE} (a plain shutdown would
 *     overwrite dump.rdb)
 */
public record ServiceCommands(List<String> start, List<String> stop) {
  public ServiceCommands {
    start = start == null ? null : List.copyOf(start);
    stop = stop == null ? null : List.copyOf(stop);
  }

  public static ServiceCommands defaults() {
    return new ServiceCommands(null, null);
  }

  /** Whether both were configured (what a supervised Redis needs). */
  public boolean bothConfigured() {
    return start != null && stop != null;
  }

  /**
   * The command that starts {@code server}: the configured one, else its program with its config
   * file, daemonized. Without a {@code pidfile} of its own the default command names one in its
   * working directory, {@code redis-ops-<port>.pid}: a daemonized Redis would otherwise write
   * {@code /var/run/redis.pid}, and the PID is how a start that dies is told from one that loads.
   */
  public List<String> startFor(ProcessControl.Server server, int port) {
    if (start != null) {
      return start;
    }
    String program = server.executable() != null ? server.executable() : "redis-server";
    List<String> cmd =
        new java.util.ArrayList<>(List.of(program, server.configFile(), "--daemonize", "yes"));
    if (server.pidfile() == null) {
      cmd.add("--pidfile");
      cmd.add(ProcessControl.defaultPidfile(server, port).toString());
    }
    return List.copyOf(cmd);
  }

  public String describeStart(ProcessControl.Server server, int port) {
    return String.join(" ", startFor(server, port))
        + (start == null ? " (default)" : " (configured start-command)");
  }

  public String describeStop() {
    return stop == null ? "SHUTDOWN NOSAVE" : String.join(" ", stop) + " (configured stop-command)";
  }
}
