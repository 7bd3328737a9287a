package io.redisops.schedules.check;

import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisErrorReply;
import io.redisops.redis.RedisSession;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Asks one dataset's Redis, once, what the rules need: version, role, data directory, and whether
 * the ACL user may run each command the capture method needs. Permissions are asked with {@code ACL
 * DRYRUN} (Redis 7.0+, when this user may run it on itself); otherwise INFO, CONFIG GET and
 * REPLCONF are tried for real (harmless), and BGSAVE and SYNC, which cannot be tried without
 * starting a snapshot, are reported as not known.
 */
final class RedisProbe {
  private RedisProbe() {}

  /** The commands a capture method needs, each with arguments {@code ACL DRYRUN} accepts. */
  static Map<String, List<String>> commandsFor(SnapshotMethod method) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("INFO", List.of("INFO", "persistence"));
    if (method == SnapshotMethod.REPLICATION) {
      m.put("REPLCONF", List.of("REPLCONF", "capa", "eof"));
      m.put("SYNC", List.of("SYNC"));
    } else {
      m.put("CONFIG GET", List.of("CONFIG", "GET", "dir"));
      m.put("BGSAVE", List.of("BGSAVE"));
    }
    return m;
  }

  static RedisFacts probe(RedisEndpoint endpoint, SnapshotMethod requested, Duration timeout) {
    String server = endpoint.toString();
    try (RedisSession session = RedisConnector.connect(endpoint, timeout)) {
      Map<String, String> info = session.info("server");
      String version = info.getOrDefault("valkey_version", info.get("redis_version"));
      String role = session.info("replication").get("role");
      boolean loading = "1".equals(session.info("persistence").get("loading"));
      boolean local = endpoint.onThisHost();
      String dir = null;
      String dbfilename = null;
      boolean configRefused = false;
      try {
        dir = session.configGet("dir").orElse("");
        dbfilename = session.configGet("dbfilename").orElse(null);
      } catch (RedisOpsException e) {
        if (!isNoPerm(e)) {
          throw e;
        }
        configRefused = true;
      }
      String dirProblem = local ? DataDirectory.problem(dir, dbfilename) : null;
      SnapshotMethod method = requested;
      if (requested == SnapshotMethod.AUTO) {
        // as BackupService resolves it: bgsave when the server is here and its directory readable
        method = local && dirProblem == null ? SnapshotMethod.BGSAVE : SnapshotMethod.REPLICATION;
      }
      String user = endpoint.username() == null ? "default" : endpoint.username();
      Map<String, RedisFacts.Permission> permissions = new LinkedHashMap<>();
      boolean dryRun = true;
      for (Map.Entry<String, List<String>> c : commandsFor(method).entrySet()) {
        RedisFacts.Permission p = dryRun ? dryRun(session, user, c.getValue()) : null;
        if (p == null) {
          dryRun = false;
          p = tryFor(session, c.getKey(), configRefused);
        }
        permissions.put(c.getKey(), p);
      }
      if (!dryRun) {
        // one command answered by ACL DRYRUN before it was refused: ask the rest the same way
        for (Map.Entry<String, List<String>> c : commandsFor(method).entrySet()) {
          permissions.put(c.getKey(), tryFor(session, c.getKey(), configRefused));
        }
      }
      return new RedisFacts(
          server,
          user,
          null,
          version,
          role,
          loading,
          local,
          dir,
          dbfilename,
          local ? dirProblem : "Redis does not run on this host",
          method,
          permissions,
          dryRun);
    } catch (RedisOpsException e) {
      return RedisFacts.unreachable(
          server,
          endpoint.username() == null ? "default" : endpoint.username(),
          e.getMessage(),
          requested);
    }
  }

  /** {@code ACL DRYRUN user command...}: the answer, or null when this user may not ask. */
  private static RedisFacts.Permission dryRun(RedisSession session, String user, List<String> cmd) {
    List<String> args = new java.util.ArrayList<>(List.of("ACL", "DRYRUN", user));
    args.addAll(cmd);
    try {
      String reply = session.command(args.toArray(String[]::new));
      return "OK".equals(reply)
          ? RedisFacts.Permission.allowed()
          : RedisFacts.Permission.denied(String.valueOf(reply));
    } catch (RedisErrorReply e) {
      // NOPERM for acl|dryrun, or a server without ACL DRYRUN: probe for real instead
      return null;
    }
  }

  /** Without ACL DRYRUN: tries what is harmless, and says "not known" for the rest. */
  private static RedisFacts.Permission tryFor(
      RedisSession session, String command, boolean configRefused) {
    switch (command) {
      case "INFO":
        return RedisFacts.Permission.allowed(); // INFO answered above
      case "CONFIG GET":
        return configRefused
            ? RedisFacts.Permission.denied("CONFIG GET answered NOPERM")
            : RedisFacts.Permission.allowed();
      case "REPLCONF":
        try {
          session.command("REPLCONF", "capa", "eof");
          return RedisFacts.Permission.allowed();
        } catch (RedisErrorReply e) {
          return isNoPerm(e)
              ? RedisFacts.Permission.denied(firstLine(e.getMessage()))
              : RedisFacts.Permission.unknown(firstLine(e.getMessage()));
        }
      default:
        return RedisFacts.Permission.unknown(
            "cannot be tried without starting a snapshot, and this user may not run ACL DRYRUN");
    }
  }

  private static boolean isNoPerm(RuntimeException e) {
    return String.valueOf(e.getMessage()).toUpperCase(Locale.ROOT).contains("NOPERM");
  }

  private static String firstLine(String s) {
    String t = String.valueOf(s);
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl);
  }
}
