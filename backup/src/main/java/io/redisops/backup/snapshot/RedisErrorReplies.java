package io.redisops.backup.snapshot;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;

/**
 * Turns a RESP error line from the replication handshake into the one-line message the user sees.
 */
final class RedisErrorReplies {

  private RedisErrorReplies() {}

  /**
   * @param server the server as shown in messages (no password)
   * @param command the command that was refused, e.g. {@code SYNC} (never its arguments: AUTH
   *     carries the password)
   * @param error the error line without its leading {@code -}, e.g. {@code WRONGPASS invalid
   *     username-password pair}
   */
  static RedisOpsException toException(String server, String command, String error) {
    String code = error.split(" ", 2)[0];
    switch (code) {
      case "WRONGPASS":
        return new RedisOpsException(
            ExitCode.USAGE,
            "Redis at "
                + server
                + " refused the credentials: "
                + error
                + "; check the password or ACL user");
      case "NOAUTH":
        return new RedisOpsException(
            ExitCode.USAGE,
            "Redis at "
                + server
                + " requires a password: "
                + error
                + "; give it in --redis (redis://[user:password@]host:port)");
      case "NOPERM":
        return new RedisOpsException(
            ExitCode.USAGE,
            "Redis at "
                + server
                + " refused "
                + command
                + ": "
                + error
                + "; the ACL user needs +sync +replconf (or @admin) to fetch a snapshot over replication");
      default:
        return new RedisOpsException(
            ExitCode.FAILED, "Redis at " + server + " refused " + command + ": '" + error + "'");
    }
  }
}
