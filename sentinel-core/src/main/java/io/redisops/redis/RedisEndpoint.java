package io.redisops.redis;

import io.redisops.error.RedisOpsException;
import io.redisops.secret.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a Redis server is and how to log in: {@code redis://[user:password@]host:port} or {@code
 * rediss://} for TLS. {@link #toString()} never shows the password.
 *
 * @param host host name or address
 * @param port TCP port
 * @param tls whether to speak TLS ({@code rediss://})
 * @param username ACL user, or null for the default user
 * @param password password, or null for none
 * @param caFile PEM file of the certificate authority to trust for TLS, or null for the JVM's
 *     default trust store
 */
public record RedisEndpoint(
    String host, int port, boolean tls, String username, Secret password, Path caFile) {

  public static final String DEFAULT_URI = "redis://127.0.0.1:6379";

  public RedisEndpoint {
    if (host == null || host.isBlank()) {
      throw RedisOpsException.usage("Redis host is empty; use redis://host:port");
    }
    if (port < 1 || port > 65535) {
      throw RedisOpsException.usage("Redis port " + port + " is out of range 1-65535");
    }
  }

  /**
   * Parses {@code redis://[user:password@]host[:port]} (port defaults to 6379) or {@code
   * rediss://...}. A bare {@code host:port} is taken as {@code redis://host:port}.
   */
  public static RedisEndpoint parse(String text) {
    if (text == null || text.isBlank()) {
      throw RedisOpsException.usage("Redis URI is empty; use redis://[user:password@]host:port");
    }
    String s = text.trim();
    if (!s.contains("://")) {
      s = "redis://" + s;
    }
    URI uri;
    try {
      uri = new URI(s);
    } catch (URISyntaxException e) {
      throw RedisOpsException.usage(
          "Redis URI '"
              + redactUserInfo(text)
              + "' is not valid; use redis://[user:password@]host:port");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("unix")) {
      throw RedisOpsException.usage(
          "Redis URI '"
              + redactUserInfo(text)
              + "': unix sockets are not supported; let"
              + " Redis listen on a TCP port (port/bind in redis.conf) and use redis://127.0.0.1:PORT");
    }
    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
      throw RedisOpsException.usage(
          "Redis URI scheme '" + scheme + "' is not supported; use redis:// or rediss://");
    }
    if (uri.getHost() == null && s.matches("(?i)rediss?://([^@/]*@)?[^@/:]+:[^/]*\\D[^/]*/?")) {
      throw RedisOpsException.usage(
          "Redis URI '"
              + redactUserInfo(text)
              + "' has a port that is not a number; use"
              + " redis://[user:password@]host:port with a port from 1 to 65535");
    }
    if (uri.getHost() == null) {
      throw RedisOpsException.usage(
          "Redis URI '"
              + redactUserInfo(text)
              + "' has no host; use redis://[user:password@]host:port");
    }
    String user = null;
    Secret password = null;
    String info = uri.getRawUserInfo();
    if (info != null && !info.isEmpty()) {
      int colon = info.indexOf(':');
      if (colon < 0) {
        // redis://password@host is what redis-cli -u accepts for the default user's password
        password = Secret.of(decode(info));
      } else {
        String u = decode(info.substring(0, colon));
        user = u.isEmpty() ? null : u;
        password = Secret.of(decode(info.substring(colon + 1)));
      }
    }
    int port = uri.getPort() == -1 ? 6379 : uri.getPort();
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      // URI keeps the brackets of an IPv6 literal; the host itself is the bare address (address()
      // adds them back)
      host = host.substring(1, host.length() - 1);
    }
    return new RedisEndpoint(host, port, scheme.equals("rediss"), user, password, null);
  }

  public RedisEndpoint withPassword(Secret newPassword) {
    return new RedisEndpoint(host, port, tls, username, newPassword, caFile);
  }

  public RedisEndpoint withCaFile(Path newCaFile) {
    return new RedisEndpoint(host, port, tls, username, password, newCaFile);
  }

  public Optional<Secret> passwordIfAny() {
    return Optional.ofNullable(password);
  }

  /** {@code host:port}, the form used in names and messages. */
  public String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** The URI without the password, safe to print. */
  @Override
  public String toString() {
    return (tls ? "rediss://" : "redis://") + (username != null ? username + "@" : "") + address();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /**
   * Hides everything between the scheme (or the start, for a bare {@code host:port}) and the last
   * {@code @}: a password that is not URL-encoded may itself hold {@code @}, {@code /} or {@code
   * :}.
   */
  private static String redactUserInfo(String text) {
    int at = text.lastIndexOf('@');
    if (at < 0) {
      return text;
    }
    int scheme = text.indexOf("://");
    int start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
    return text.substring(0, start) + "****" + text.substring(at);
  }
}
