package io.redisops.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One authenticated connection to one Redis server, with the few queries redis-ops needs. Close it
 * when done.
 */
public final class RedisSession implements AutoCloseable {
  private final RedisEndpoint endpoint;
  private final RedisClient client;
  private final ClientResources resources;
  private final StatefulRedisConnection<String, String> connection;

  RedisSession(
      RedisEndpoint endpoint,
      RedisClient client,
      ClientResources resources,
      StatefulRedisConnection<String, String> connection) {
    this.endpoint = endpoint;
    this.client = client;
    this.resources = resources;
    this.connection = connection;
  }

  public RedisEndpoint endpoint() {
    return endpoint;
  }

  /** The raw Lettuce commands, for what the helpers below do not cover. */
  public RedisCommands<String, String> commands() {
    return connection.sync();
  }

  /** {@code INFO section} parsed into a flat key/value map. */
  public Map<String, String> info(String section) {
    return call(() -> InfoParser.parse(connection.sync().info(section)));
  }

  /** One configuration value, empty when the server does not know it or refuses CONFIG. */
  public Optional<String> configGet(String name) {
    return call(() -> Optional.ofNullable(connection.sync().configGet(name).get(name)));
  }

  /** Runs a Redis call, turning Lettuce's exceptions into the CLI's one-line errors. */
  public <T> T call(java.util.function.Supplier<T> action) {
    try {
      return action.get();
    } catch (io.redisops.error.RedisOpsException e) {
      throw e;
    } catch (RuntimeException e) {
      throw RedisConnector.translate(endpoint, e);
    }
  }

  /**
   * The one-line error for a Lettuce failure on this server (unreachable, refused credentials,
   * ...).
   */
  public io.redisops.error.RedisOpsException translate(RuntimeException e) {
    return e instanceof io.redisops.error.RedisOpsException r
        ? r
        : RedisConnector.translate(endpoint, e);
  }

  @Override
  public void close() {
    try {
      connection.close();
    } finally {
      shutdownQuietly(client, resources);
    }
  }

  static void shutdownQuietly(RedisClient client, ClientResources resources) {
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } catch (RuntimeException ignored) {
      // shutting down a client that failed to connect: nothing left to release that matters
    }
    try {
      resources.shutdown(0, 2, TimeUnit.SECONDS).await(3, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException ignored) {
      // as above
    }
  }
}
