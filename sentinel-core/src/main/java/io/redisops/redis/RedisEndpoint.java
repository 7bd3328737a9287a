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
 * Where a Redis server is and how to log in: {@code redis://[user:password@]host:port}, {@code
 * rediss://} for TLS, or {@code unix://[user:password@]/path/to/redis.sock} for a Unix socket on
 * this host. {@link #toString()} never shows the password.
 *
 * @param host host name or address ({@code localhost} for a Unix socket)
 * @param port TCP port ({@code 0} for a Unix socket)
 * @param tls whether to speak TLS ({@code rediss://})
 * @param username ACL user, or null for the default user
 * @param password password, or null for none
 * @param caFile PEM file of the certificate authority to trust for TLS, or null for the JVM's
 *     default trust store
 * @param socket the Unix socket's path, or null for TCP
 */
public record RedisEndpoint(
    String host,
    int port,
    boolean tls,
    String username,
    Secret password,
    Path caFile,
    Path socket) {

  public static final String DEFAULT_URI = "redis://127.0.0.1:6379";

  /** The host a Unix socket endpoint names: the socket is always on this machine. */
  public static final String SOCKET_HOST = "localhost";

  public RedisEndpoint {
    if (socket != null) {
      if (!socket.isAbsolute()) {
        throw RedisOpsException.usage(
            "Unix socket '" + socket + "' is not an absolute path; use unix:///path/to/redis.sock");
      }
      if (tls) {
        throw RedisOpsException.usage(
            "TLS over a Unix socket is not supported; use unix:// or rediss://host:port");
      }
      host = SOCKET_HOST;
      port = 0;
    } else if (host == null || host.isBlank()) {
      throw RedisOpsException.usage("Redis host is empty; use redis://host:port");
    } else if (port < 1 || port > 65535) {
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
      return parseSocket(text, s);
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
    Credentials login = Credentials.of(uri.getRawUserInfo());
    int port = uri.getPort() == -1 ? 6379 : uri.getPort();
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      // URI keeps the brackets of an IPv6 literal; the host itself is the bare address (address()
      // adds them back)
      host = host.substring(1, host.length() - 1);
    }
    return new RedisEndpoint(
        host, port, scheme.equals("rediss"), login.user(), login.password(), null);
  }

  /** The user and password of a URI's raw user info ({@code user:password}), each possibly null. */
  private record Credentials(String user, Secret password) {
    static Credentials of(String info) {
      if (info == null || info.isEmpty()) {
        return new Credentials(null, null);
      }
      int colon = info.indexOf(':');
      if (colon < 0) {
        // redis://password@host is what redis-cli -u accepts for the default user's password
        return new Credentials(null, Secret.of(decode(info)));
      }
      String u = decode(info.substring(0, colon));
      String p = info.substring(colon + 1);
      // redis://user:@host names the ACL user and leaves the password to the environment or a
      // password file (a password in a URI ends up in configuration files and shell histories)
      return new Credentials(u.isEmpty() ? null : u, p.isEmpty() ? null : Secret.of(decode(p)));
    }
  }

  /** A TCP endpoint. */
  public RedisEndpoint(
      String host, int port, boolean tls, String username, Secret password, Path caFile) {
    this(host, port, tls, username, password, caFile, null);
  }

  /**
   * {@code unix://[user:password@]/path}: parsed by hand because {@link URI} reads the path's first
   * segment after {@code //} as a host.
   */
  private static RedisEndpoint parseSocket(String original, String s) {
    String rest = s.substring(s.indexOf("://") + 3);
    Credentials login = new Credentials(null, null);
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      login = Credentials.of(rest.substring(0, at));
      rest = rest.substring(at + 1);
    }
    int query = rest.indexOf('?');
    if (query >= 0) {
      rest = rest.substring(0, query);
    }
    if (!rest.startsWith("/") || rest.length() < 2) {
      throw RedisOpsException.usage(
          "Redis URI '"
              + redactUserInfo(original)
              + "' names no socket file; use unix:///path/to/redis.sock (the path is absolute)");
    }
    return new RedisEndpoint(
        SOCKET_HOST, 0, false, login.user(), login.password(), null, Path.of(decode(rest)));
  }

  public RedisEndpoint withPassword(Secret newPassword) {
    return new RedisEndpoint(host, port, tls, username, newPassword, caFile, socket);
  }

  public RedisEndpoint withCaFile(Path newCaFile) {
    return new RedisEndpoint(host, port, tls, username, password, newCaFile, socket);
  }

  /** A copy that logs in as {@code user} (null: the default user). */
  public RedisEndpoint withUsername(String user) {
    return new RedisEndpoint(host, port, tls, user, password, caFile, socket);
  }

  public boolean isSocket() {
    return socket != null;
  }

  /** Whether the server runs on the machine redis-ops runs on (a Unix socket always does). */
  public boolean onThisHost() {
    return isSocket() || ThisHost.owns(host);
  }

  public Optional<Secret> passwordIfAny() {
    return Optional.ofNullable(password);
  }

  /**
   * The AUTH command that logs this endpoint in, or an empty array when there is nothing to send.
   * An ACL user without a password still sends AUTH (with an empty password): a {@code nopass} user
   * is then logged in, another user is refused (WRONGPASS) rather than silently left as the default
   * user.
   */
  public String[] authCommand() {
    if (username != null) {
      return new String[] {"AUTH", username, password == null ? "" : password.reveal()};
    }
    return password == null ? new String[0] : new String[] {"AUTH", password.reveal()};
  }

  /** {@code host:port} (or the socket's path), the form used in names and messages. */
  public String address() {
    if (isSocket()) {
      return socket.toString();
    }
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** The URI without the password, safe to print. */
  @Override
  public String toString() {
    String scheme = isSocket() ? "unix://" : tls ? "rediss://" : "redis://";
    return scheme + (username != null ? username + "@" : "") + address();
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
