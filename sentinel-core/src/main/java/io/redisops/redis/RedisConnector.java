package io.redisops.redis;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Locale;

/**
 * Opens connections ({@link RespConnection}) to one Redis server, with AUTH (password or ACL user)
 * and TLS, failing fast with clear errors.
 */
public final class RedisConnector {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private RedisConnector() {}

  /**
   * Connects and authenticates. Failures become a {@link RedisOpsException}: unreachable server
   * (FAILED), refused credentials (USAGE). The message names the server without its password.
   */
  public static RedisSession connect(RedisEndpoint endpoint, Duration timeout) {
    if (endpoint.tls()) {
      refusePlainServer(endpoint, timeout);
    }
    if (endpoint.isSocket()) {
      refuseMissingSocket(endpoint);
    }
    RespConnection connection = RespConnection.open(endpoint, timeout, timeout);
    try {
      String[] auth = endpoint.authCommand();
      if (auth.length > 0) {
        connection.call(auth);
      }
      ping(connection);
      return new RedisSession(endpoint, connection);
    } catch (RuntimeException e) {
      connection.close();
      throw e instanceof RedisOpsException r ? r : translate(endpoint, e);
    }
  }

  /**
   * A first PING, so that a server that wants a password says so now (NOAUTH), as it would to any
   * client's handshake. A server still loading, a replica refusing stale reads or an ACL user
   * without {@code +ping} are connected all the same: what the caller asks next decides.
   */
  private static void ping(RespConnection connection) {
    try {
      connection.call("PING");
    } catch (RedisErrorReply e) {
      if (e.code().equals("NOAUTH")) {
        throw e;
      }
    }
  }

  /** Names a missing socket file before trying. */
  private static void refuseMissingSocket(RedisEndpoint endpoint) {
    if (!Files.exists(endpoint.socket())) {
      throw RedisOpsException.failed(
          "unable to connect to Redis at "
              + endpoint
              + ": no such socket file; check --redis (unixsocket in redis.conf) and that the server"
              + " runs");
    }
  }

  /**
   * A TLS handshake with a plain Redis hangs until its timeout (the server waits for a line that
   * never comes) and then says only "timed out". A plain server answers {@code PING} at once, a TLS
   * one never does: ask first, fail fast.
   */
  private static void refusePlainServer(RedisEndpoint endpoint, Duration timeout) {
    try (java.net.Socket socket = new java.net.Socket()) {
      int ms = (int) Math.min(timeout.toMillis(), 2000);
      socket.connect(new java.net.InetSocketAddress(endpoint.host(), endpoint.port()), ms);
      socket.setSoTimeout(ms);
      socket
          .getOutputStream()
          .write("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      int first = socket.getInputStream().read();
      if (first == '+' || first == '-') {
        throw RedisOpsException.usage(
            "the server at "
                + endpoint.address()
                + " speaks plain Redis, not TLS: use"
                + " redis:// instead of rediss:// (or enable tls-port on the server)");
      }
    } catch (IOException e) {
      // no answer, a TLS alert or a refused connection: the real connection attempt reports it
    }
  }

  /**
   * Maps a failure (an error reply, a lost connection) to the one-line error of the CLI's contract.
   */
  static RedisOpsException translate(RedisEndpoint endpoint, RuntimeException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      if (root instanceof RedisErrorReply) {
        break;
      }
      root = root.getCause();
    }
    String msg = String.valueOf(root.getMessage());
    String upper = msg.toUpperCase(Locale.ROOT);
    if (upper.startsWith("WRONGPASS")
        || upper.startsWith("NOAUTH")
        || upper.contains("INVALID PASSWORD")
        || upper.contains("INVALID USERNAME-PASSWORD")) {
      return new RedisOpsException(
          ExitCode.USAGE,
          "Redis at "
              + endpoint
              + " refused the credentials: "
              + firstLine(msg)
              + "; check the password or ACL user",
          e);
    }
    if (upper.startsWith("NOPERM")) {
      return new RedisOpsException(
          ExitCode.USAGE,
          "Redis at "
              + endpoint
              + " refused a command: "
              + firstLine(msg)
              + "; give the ACL user the permission",
          e);
    }
    if (upper.startsWith("LOADING")) {
      return new RedisOpsException(
          ExitCode.FAILED,
          "Redis at "
              + endpoint
              + " is still loading its dataset into memory"
              + " (it answers LOADING); try again once it has finished (INFO persistence: loading:0)",
          e);
    }
    if (root instanceof ConnectException) {
      return new RedisOpsException(
          ExitCode.FAILED,
          "unable to connect to Redis at "
              + endpoint
              + ": "
              + firstLine(root instanceof ConnectException ? "connection refused" : msg)
              + "; check --redis and that the server runs",
          e);
    }
    return new RedisOpsException(
        ExitCode.FAILED, "Redis at " + endpoint + " failed: " + firstLine(msg), e);
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
