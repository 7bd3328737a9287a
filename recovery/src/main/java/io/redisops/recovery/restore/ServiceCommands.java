package io.redisops.recovery.restore;

import java.util.List;

/**
 * How the restore stops and starts the target Redis ({@code datasets[].redis.stop-command} / {@code start-command}).
 *
 * @param start the start command, or null for {@code <the running server's executable> <config file> --daemonize yes}
 *              (the same program again: {@code redis-server} from PATH may be another version)
 * @param stop  the stop command, or null for {@code SHUTDOWN NOSAVE} (a plain shutdown would overwrite dump.rdb)
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
  boolean bothConfigured() {
    return start != null && stop != null;
  }

  List<String> startFor(RestoreTarget target) {
    String program = target.executable() != null ? target.executable() : "redis-server";
    return start != null ? start : List.of(program, target.configFile(), "--daemonize", "yes");
  }

  String describeStart(RestoreTarget target) {
    return String.join(" ", startFor(target)) + (start == null ? " (default)" : " (configured start-command)");
  }

  String describeStop() {
    return stop == null ? "SHUTDOWN NOSAVE" : String.join(" ", stop) + " (configured stop-command)";
  }
}
