package io.redisops.testkit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;

/**
 * One set of Lettuce event loops shared by every client the testkit creates.
 *
 * <p>Why shared: each {@link RedisClient} with its own resources starts and stops thread pools,
 * which costs time at every server stop; the shared ones live (as daemon threads) until the JVM
 * exits.
 */
final class LettuceResources {

  private static ClientResources resources;

  private LettuceResources() {}

  static synchronized ClientResources get() {
    if (resources == null) {
      resources =
          DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
    }
    return resources;
  }

  /**
   * A client for one server; it does not reconnect, so a stopped server shows as a closed
   * connection.
   */
  static RedisClient client(String host, int port, String username, String password) {
    RedisURI.Builder uri = RedisURI.Builder.redis(host, port).withTimeout(Duration.ofSeconds(10));
    if (password != null) {
      if (username != null) {
        uri.withAuthentication(username, password.toCharArray());
      } else {
        uri.withPassword(password.toCharArray());
      }
    }
    RedisClient client = RedisClient.create(get(), uri.build());
    client.setOptions(ClientOptions.builder().autoReconnect(false).build());
    return client;
  }
}
