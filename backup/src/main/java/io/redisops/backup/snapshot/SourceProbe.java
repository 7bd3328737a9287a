package io.redisops.backup.snapshot;

import io.redisops.backup.catalog.Manifest;
import io.redisops.redis.InfoParser;
import io.redisops.redis.RedisSession;
import io.redisops.redis.ServerIdentity;
import java.util.Map;

/**
 * Reads who the server is (INFO server, replication and keyspace) for the manifest's {@code
 * source}.
 */
public final class SourceProbe {
  private SourceProbe() {}

  public static Manifest.Source probe(RedisSession session) {
    Map<String, String> server = session.info("server");
    Map<String, String> repl = session.info("replication");
    Long offset = null;
    try {
      offset = Long.parseLong(repl.getOrDefault("master_repl_offset", ""));
    } catch (NumberFormatException ignored) {
      // older servers or restricted INFO: the offset stays unknown
    }
    ServerIdentity id = ServerIdentity.of(server);
    // a Unix socket is recorded as its path, port 0
    return new Manifest.Source(
        session.endpoint().isSocket()
            ? session.endpoint().socket().toString()
            : session.endpoint().host(),
        session.endpoint().port(),
        repl.get("role"),
        server.get("run_id"),
        repl.get("master_replid"),
        offset,
        server.get("redis_version"),
        id.engine(),
        id.version());
  }

  /**
   * The server's own key count (sum of INFO keyspace), recorded next to the RDB's when the RDB's
   * cannot be read; null when INFO keyspace is not readable.
   */
  public static Long serverKeys(RedisSession session) {
    try {
      long total = 0;
      for (Map.Entry<String, String> e : session.info("keyspace").entrySet()) {
        if (e.getKey().startsWith("db")) {
          total += InfoParser.keyspaceEntry(e.getValue()).getOrDefault("keys", 0L);
        }
      }
      return total;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
