package io.redisops.sentinel;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.ListOfMapsOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Lettuce access to sentinels and to the servers they monitor, sharing one set of I/O threads. Each
 * call opens its own short-lived connection (loopback or LAN: a few milliseconds) so that a
 * sentinel that went away and came back needs no repair; event subscriptions ({@link #subscribe})
 * reconnect and resubscribe by themselves. Close when done.
 */
public final class SentinelClient implements AutoCloseable {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  private final ClientResources resources;
  private final RedisClient oneShot;
  private final RedisClient subscriber;
  private final Duration timeout;

  public SentinelClient(Duration timeout) {
    this.timeout = timeout;
    this.resources =
        DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
    this.oneShot = RedisClient.create(resources);
    oneShot.setOptions(options(false));
    this.subscriber = RedisClient.create(resources);
    subscriber.setOptions(options(true));
  }

  public SentinelClient() {
    this(DEFAULT_TIMEOUT);
  }

  public Duration timeout() {
    return timeout;
  }

  private ClientOptions options(boolean reconnect) {
    return ClientOptions.builder()
        // queries must fail fast on a dead sentinel; subscriptions must come back when it does
        .autoReconnect(reconnect)
        .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .build();
  }

  /** One sentinel conversation: the connection is closed when the function returns or throws. */
  public <T> T withSentinel(
      RedisEndpoint sentinel,
      java.util.function.Function<RedisSentinelCommands<String, String>, T> f) {
    try (StatefulRedisSentinelConnection<String, String> c =
        explained(sentinel, () -> oneShot.connectSentinel(uri(sentinel)))) {
      return f.apply(c.sync());
    }
  }

  /** One Redis server conversation, as {@link #withSentinel}. */
  public <T> T withRedis(
      RedisEndpoint server,
      java.util.function.Function<io.lettuce.core.api.sync.RedisCommands<String, String>, T> f) {
    try (StatefulRedisConnection<String, String> c =
        explained(server, () -> oneShot.connect(uri(server)))) {
      return f.apply(c.sync());
    }
  }

  /**
   * Connects, and when Lettuce reports only that the connection closed during its handshake, asks
   * the server why. Lettuce 7.7's handshake closes the channel before it reports a refused login,
   * and under load the close arrives first: "Connection closed prematurely", the server's WRONGPASS
   * lost (docs/redis-facts.md). A second login through {@link RedisConnector} (one blocking RESP
   * connection, the server's own error line) then names the refused credentials; any other outcome
   * leaves Lettuce's error as it was.
   */
  private <C> C explained(RedisEndpoint endpoint, Supplier<C> connect) {
    try {
      return connect.get();
    } catch (RedisConnectionException failed) {
      RuntimeException why = closedLogin(endpoint, failed);
      if (why != failed) {
        why.addSuppressed(failed);
      }
      throw why;
    }
  }

  /**
   * The server's reason for a handshake that ended in a closed connection, if it refuses the
   * endpoint's credentials; otherwise {@code failed} itself.
   */
  RuntimeException closedLogin(RedisEndpoint endpoint, RedisConnectionException failed) {
    if (!closedDuringHandshake(failed)) {
      return failed;
    }
    try {
      RedisConnector.connect(endpoint, timeout).close();
      return failed;
    } catch (RedisOpsException refused) {
      return refused.exitCode() == ExitCode.USAGE ? refused : failed;
    } catch (RuntimeException other) {
      return failed;
    }
  }

  private static boolean closedDuringHandshake(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof RedisConnectionException
          && String.valueOf(c.getMessage()).contains("closed prematurely")) {
        return true;
      }
    }
    return false;
  }

  /** A pub/sub connection to a sentinel that reconnects and resubscribes by itself. */
  public StatefulRedisPubSubConnection<String, String> subscribe(RedisEndpoint sentinel) {
    return explained(sentinel, () -> subscriber.connectPubSub(uri(sentinel)));
  }

  /**
   * {@code SENTINEL SENTINELS name}: the other sentinels this one knows (Lettuce has no method for
   * it).
   */
  public static List<Map<String, String>> sentinels(
      RedisSentinelCommands<String, String> c, String master) {
    return c.dispatch(
        CommandType.SENTINEL,
        new ListOfMapsOutput<>(StringCodec.UTF8),
        new CommandArgs<>(StringCodec.UTF8).add("SENTINELS").add(master));
  }

  /**
   * {@code SENTINEL CKQUORUM name}: the OK line; a NOQUORUM answer arrives as an exception with its
   * text.
   */
  public static String ckquorum(RedisSentinelCommands<String, String> c, String master) {
    return c.dispatch(
        CommandType.SENTINEL,
        new StatusOutput<>(StringCodec.UTF8),
        new CommandArgs<>(StringCodec.UTF8).add("CKQUORUM").add(master));
  }

  RedisURI uri(RedisEndpoint e) {
    RedisURI.Builder b =
        RedisURI.builder()
            .withHost(e.host())
            .withPort(e.port())
            .withSsl(e.tls())
            .withVerifyPeer(e.tls())
            .withTimeout(timeout);
    // As RedisEndpoint.authCommand: a named ACL user without a password logs in with an empty one
    // (a nopass user is let in, any other refused), never left connected as the default user.
    char[] pw = e.passwordIfAny().map(p -> p.reveal().toCharArray()).orElse(null);
    if (e.username() != null) {
      b.withAuthentication(e.username(), pw == null ? new char[0] : pw);
    } else if (pw != null) {
      b.withPassword(pw);
    }
    return b.build();
  }

  /**
   * TLS with a private CA needs the client's SSL options; they are per client, so the first TLS
   * endpoint with a CA file sets them (one deployment uses one CA).
   */
  public void trust(RedisEndpoint e) {
    if (e.tls() && e.caFile() != null) {
      SslOptions ssl =
          SslOptions.builder().jdkSslProvider().trustManager(e.caFile().toFile()).build();
      oneShot.setOptions(oneShot.getOptions().mutate().sslOptions(ssl).build());
      subscriber.setOptions(subscriber.getOptions().mutate().sslOptions(ssl).build());
    }
  }

  @Override
  public void close() {
    for (RedisClient c : List.of(oneShot, subscriber)) {
      try {
        c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      } catch (RuntimeException ignored) {
        // nothing left to release that matters
      }
    }
    try {
      resources.shutdown(0, 2, TimeUnit.SECONDS).await(3, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
