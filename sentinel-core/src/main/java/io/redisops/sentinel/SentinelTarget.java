package io.redisops.sentinel;

import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import java.util.List;

/**
 * What to watch: a master name, the sentinels to ask about it, and how to log in to the Redis
 * servers they report (for the checks and status figures that only the servers themselves can
 * give).
 *
 * @param masterName the name the sentinels monitor the master under
 * @param sentinels the configured sentinels (host, port, ACL user, password, TLS); at least one
 * @param redisLogin credentials and TLS for the monitored servers; its host and port are ignored
 *     (the sentinels say where the servers are); null to connect without a password
 */
public record SentinelTarget(
    String masterName, List<RedisEndpoint> sentinels, RedisEndpoint redisLogin) {

  public SentinelTarget {
    if (masterName == null || masterName.isBlank()) {
      throw RedisOpsException.usage("the Sentinel master name is empty");
    }
    if (sentinels == null || sentinels.isEmpty()) {
      throw RedisOpsException.usage("no sentinel given for master '" + masterName + "'");
    }
    sentinels = List.copyOf(sentinels);
  }

  /** The same sentinels watching another master name. */
  public SentinelTarget withMaster(String name) {
    return new SentinelTarget(name, sentinels, redisLogin);
  }

  /** A Redis server the sentinels reported, with the login of {@link #redisLogin()}. */
  public RedisEndpoint redisAt(String host, int port) {
    if (redisLogin == null) {
      return new RedisEndpoint(host, port, false, null, null, null);
    }
    return new RedisEndpoint(
        host,
        port,
        redisLogin.tls(),
        redisLogin.username(),
        redisLogin.password(),
        redisLogin.caFile());
  }

  /**
   * Parses {@code host:port,host:port} (each may also be {@code redis://[user:password@]host:port}
   * or {@code rediss://...}); the port defaults to 26379.
   */
  public static List<RedisEndpoint> parseNodes(List<String> nodes, String key) {
    if (nodes == null || nodes.isEmpty()) {
      throw RedisOpsException.usage(key + ": no sentinel given; list them as host:port");
    }
    return nodes.stream().map(n -> parseNode(n, key)).toList();
  }

  private static RedisEndpoint parseNode(String node, String key) {
    String s = node == null ? "" : node.trim();
    boolean hasScheme = s.contains("://");
    String hostPart = hasScheme ? s.substring(s.indexOf("://") + 3) : s;
    hostPart = hostPart.substring(hostPart.lastIndexOf('@') + 1);
    boolean hasPort = hostPart.matches(".*:\\d+$") && !hostPart.endsWith("]");
    try {
      return RedisEndpoint.parse(hasPort ? s : s + ":26379");
    } catch (RedisOpsException e) {
      throw RedisOpsException.usage(key + ": " + e.getMessage());
    }
  }
}
