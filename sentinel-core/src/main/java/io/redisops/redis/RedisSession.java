package io.redisops.redis;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One authenticated connection to one Redis server, with the few queries redis-ops needs. Close it
 * when done. Thread-safe: calls from several threads take turns; {@link #close} from another thread
 * makes a running call fail at once.
 */
public final class RedisSession implements AutoCloseable {
  private final RedisEndpoint endpoint;
  private final RespConnection connection;

  RedisSession(RedisEndpoint endpoint, RespConnection connection) {
    this.endpoint = endpoint;
    this.connection = connection;
  }

  public RedisEndpoint endpoint() {
    return endpoint;
  }

  /**
   * Sends one command and gives its reply as text: a status or bulk reply as it is, an integer in
   * decimal, a null bulk as null.
   *
   * @throws RedisErrorReply the server answered with an error (its message is the reply's line);
   *     {@link #translate} makes it the CLI's one-line error
   * @throws io.redisops.error.RedisOpsException the connection was lost or the server went silent
   */
  public String command(String... command) {
    Object reply = connection.call(command);
    if (reply == null || reply instanceof String) {
      return (String) reply;
    }
    if (reply instanceof Long n) {
      return Long.toString(n);
    }
    throw io.redisops.error.RedisOpsException.failed(
        "Redis at " + endpoint + " answered " + command[0] + " with an array; expected one value",
        null);
  }

  /** {@code INFO section} as the server sends it. */
  public String infoText(String section) {
    return call(() -> command("INFO", section));
  }

  /** {@code INFO section} parsed into a flat key/value map. */
  public Map<String, String> info(String section) {
    return InfoParser.parse(infoText(section));
  }

  /** One configuration value, empty when the server does not know it. */
  public Optional<String> configGet(String name) {
    return call(
        () -> {
          Object reply = connection.call("CONFIG", "GET", name);
          if (reply instanceof List<?> items) {
            for (int i = 0; i + 1 < items.size(); i += 2) {
              if (name.equalsIgnoreCase(String.valueOf(items.get(i)))) {
                return Optional.ofNullable((String) items.get(i + 1));
              }
            }
          }
          return Optional.empty();
        });
  }

  /** Runs Redis calls, turning error replies into the CLI's one-line errors. */
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
   * The one-line error for a failure on this server (unreachable, refused credentials, an error
   * reply, ...).
   */
  public io.redisops.error.RedisOpsException translate(RuntimeException e) {
    return e instanceof io.redisops.error.RedisOpsException r
        ? r
        : RedisConnector.translate(endpoint, e);
  }

  @Override
  public void close() {
    connection.close();
  }
}
