package io.redisops.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Locale;

/**
 * Opens Lettuce connections to one Redis server, with AUTH (password or ACL user) and TLS, failing
 * fast with clear errors.
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
    RedisURI.Builder uri =
        endpoint.isSocket()
            ? RedisURI.Builder.socket(endpoint.socket().toString()).withTimeout(timeout)
            : RedisURI.builder()
                .withHost(endpoint.host())
                .withPort(endpoint.port())
                .withSsl(endpoint.tls())
                .withVerifyPeer(endpoint.tls())
                .withTimeout(timeout);
    if (endpoint.isSocket()) {
      refuseMissingSocket(endpoint);
    }
    endpoint
        .passwordIfAny()
        .ifPresent(
            pw -> {
              if (endpoint.username() != null) {
                uri.withAuthentication(endpoint.username(), pw.reveal().toCharArray());
              } else {
                uri.withPassword(pw.reveal().toCharArray());
              }
            });
    // Two I/O and two computation threads (Lettuce's minimum) are plenty for a CLI or a job talking
    // to a single server.
    ClientResources resources =
        DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
    RedisClient client = RedisClient.create(resources);
    ClientOptions.Builder options =
        ClientOptions.builder()
            // A backup tool must see a lost connection as a failure, not silently reconnect
            // mid-operation.
            .autoReconnect(false)
            .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
            .timeoutOptions(TimeoutOptions.enabled(timeout));
    if (endpoint.tls() && endpoint.caFile() != null) {
      if (!Files.isReadable(endpoint.caFile())) {
        throw RedisOpsException.usage(
            "TLS CA file '" + endpoint.caFile() + "' is not readable; check --tls-ca-file");
      }
      options.sslOptions(
          SslOptions.builder().jdkSslProvider().trustManager(endpoint.caFile().toFile()).build());
    }
    client.setOptions(options.build());
    try {
      StatefulRedisConnection<String, String> connection = client.connect(uri.build());
      return new RedisSession(endpoint, client, resources, connection);
    } catch (RuntimeException e) {
      RedisSession.shutdownQuietly(client, resources);
      throw translate(endpoint, e);
    }
  }

  /**
   * Lettuce reaches a Unix socket only through Netty's native epoll transport; say so plainly
   * rather than with Lettuce's message, and name a missing or unusable socket file before trying.
   */
  private static void refuseMissingSocket(RedisEndpoint endpoint) {
    if (!Files.exists(endpoint.socket())) {
      throw RedisOpsException.failed(
          "unable to connect to Redis at "
              + endpoint
              + ": no such socket file; check --redis (unixsocket in redis.conf) and that the server"
              + " runs");
    }
    if (!io.netty.channel.epoll.Epoll.isAvailable()) {
      throw RedisOpsException.usage(
          "unable to use the Unix socket "
              + endpoint.socket()
              + ": Netty's native epoll transport does not load here ("
              + io.netty.channel.epoll.Epoll.unavailabilityCause().getMessage()
              + "); use redis://127.0.0.1:PORT");
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

  /** Maps a Lettuce failure to the one-line error of the CLI's contract. */
  static RedisOpsException translate(RedisEndpoint endpoint, RuntimeException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      if (root instanceof RedisCommandExecutionException) {
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
    if (root instanceof ConnectException || e instanceof RedisConnectionException) {
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
