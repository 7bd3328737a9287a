package io.redisops.config;

import io.redisops.error.RedisOpsException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the daemon's HTTP endpoints listen: the value of {@code http.listen}.
 *
 * @param host host name or IP literal (an IPv6 literal without its brackets)
 * @param port TCP port, 1 to 65535
 */
public record ListenAddress(String host, int port) {
  /** The default of {@code http.listen}: loopback only, so nothing is exposed unless asked for. */
  public static final String DEFAULT = "127.0.0.1:9121";

  /** The value that switches the endpoints off. */
  public static final String OFF = "off";

  private static final Pattern FORMAT =
      Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([^\\s:\\[\\]/]+)):(\\d{1,5})");

  /**
   * Parses {@code host:port} ({@code [v6-literal]:port} for IPv6) or {@code off}; null means the
   * default.
   *
   * @param key the configuration key, named in the error
   * @return the address, or empty when the endpoints are switched off
   * @throws RedisOpsException USAGE naming {@code key} when the value is malformed, the port out of
   *     range or the host unknown
   */
  public static Optional<ListenAddress> parse(String text, String key) {
    String value = text == null ? DEFAULT : text.trim();
    if (value.equalsIgnoreCase(OFF)) {
      return Optional.empty();
    }
    Matcher m = FORMAT.matcher(value);
    if (!m.matches()) {
      throw RedisOpsException.usage(
          key
              + ": '"
              + text
              + "' is not host:port or 'off' (e.g. "
              + DEFAULT
              + ", [::1]:9121, 0.0.0.0:9121)");
    }
    int port = Integer.parseInt(m.group(3));
    if (port < 1 || port > 65535) {
      throw RedisOpsException.usage(key + ": port " + port + " is out of range 1-65535");
    }
    ListenAddress address = new ListenAddress(m.group(1) != null ? m.group(1) : m.group(2), port);
    if (address.socketAddress().isUnresolved()) {
      throw RedisOpsException.usage(key + ": host '" + address.host() + "' cannot be resolved");
    }
    return Optional.of(address);
  }

  /** The socket address to bind (resolves the host name). */
  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
