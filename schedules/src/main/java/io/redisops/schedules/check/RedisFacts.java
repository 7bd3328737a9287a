package io.redisops.schedules.check;

import io.redisops.backup.snapshot.SnapshotMethod;
import java.util.Map;

/**
 * What one dataset's Redis said when {@link RedisProbe} asked it.
 *
 * @param server {@code redis://user@host:port}, never the password
 * @param user the ACL user ({@code default} when the URI names none)
 * @param error why it could not be reached or logged in to; null when it answered
 * @param version {@code redis_version} (Valkey: {@code valkey_version} when given)
 * @param role {@code master} or {@code slave}
 * @param loading true while it loads its data
 * @param local whether it runs on this host (a BGSAVE's file can be read only then)
 * @param dir {@code CONFIG GET dir}: null when CONFIG GET is refused, empty when Redis has none
 * @param dbfilename {@code CONFIG GET dbfilename}, null when refused
 * @param dataDirProblem why the data directory cannot be read from here, null when it can
 * @param method the capture method a backup would use (AUTO resolved as {@code backup} does)
 * @param commands per command the capture needs, whether this user may run it
 * @param dryRun true when the permissions were asked with {@code ACL DRYRUN}, false when probed
 */
record RedisFacts(
    String server,
    String user,
    String error,
    String version,
    String role,
    boolean loading,
    boolean local,
    String dir,
    String dbfilename,
    String dataDirProblem,
    SnapshotMethod method,
    Map<String, Permission> commands,
    boolean dryRun) {

  static RedisFacts unreachable(String server, String user, String error, SnapshotMethod method) {
    return new RedisFacts(
        server, user, error, null, null, false, false, null, null, null, method, Map.of(), false);
  }

  /** Whether this user may run one command: yes, no (with the server's words), or not known. */
  record Permission(State state, String detail) {
    enum State {
      ALLOWED,
      DENIED,
      UNKNOWN
    }

    static Permission allowed() {
      return new Permission(State.ALLOWED, null);
    }

    static Permission denied(String detail) {
      return new Permission(State.DENIED, detail);
    }

    static Permission unknown(String detail) {
      return new Permission(State.UNKNOWN, detail);
    }
  }
}
