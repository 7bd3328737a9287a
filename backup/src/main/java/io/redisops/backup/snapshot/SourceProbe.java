package io.redisops.backup.snapshot;

import io.redisops.backup.catalog.Manifest;
import io.redisops.redis.RedisSession;
import java.util.Map;

/** Reads who the server is (INFO server and replication) for the manifest's {@code source}. */
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
    return new Manifest.Source(session.endpoint().host(), session.endpoint().port(), repl.get("role"),
        server.get("run_id"), repl.get("master_replid"), offset, server.get("redis_version"));
  }
}
