package io.redisops.config;

import io.redisops.error.RedisOpsException;
import io.redisops.text.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;

/**
 * The resolved {@code notify} section.
 *
 * @param command argv of the command run per event (event JSON on stdin, no shell), empty when none
 * @param webhook URL that receives each event as a JSON POST, null when none
 * @param timeout how long one command or one POST may take
 */
public record NotifySettings(List<String> command, URI webhook, Duration timeout) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  public NotifySettings {
    command = command == null ? List.of() : List.copyOf(command);
  }

  /** No hook at all. */
  public static NotifySettings none() {
    return new NotifySettings(List.of(), null, DEFAULT_TIMEOUT);
  }

  public boolean enabled() {
    return !command.isEmpty() || webhook != null;
  }

  /**
   * Validates the {@code notify} section (null: no hooks, default timeout).
   *
   * @throws RedisOpsException USAGE naming the key: an empty command or argument, a webhook that is
   *     not an absolute http(s) URL, a bad or zero timeout
   */
  public static NotifySettings from(Config.Notify n) {
    if (n == null) {
      return none();
    }
    List<String> command = n.command() == null ? List.of() : n.command();
    if (n.command() != null
        && (command.isEmpty() || command.stream().anyMatch(a -> a == null || a.isEmpty()))) {
      throw RedisOpsException.usage(
          "notify.command: give the program and its arguments as a non-empty list of"
              + " non-empty strings, e.g. [/usr/local/bin/notify.sh]");
    }
    URI webhook = n.webhook() == null ? null : webhook(n.webhook());
    Duration timeout =
        n.timeout() == null ? DEFAULT_TIMEOUT : Durations.parse(n.timeout(), "notify.timeout");
    if (timeout.isZero()) {
      throw RedisOpsException.usage("notify.timeout: must be more than 0");
    }
    return new NotifySettings(command, webhook, timeout);
  }

  private static URI webhook(String text) {
    try {
      URI u = new URI(text.trim());
      if (u.getScheme() != null
          && (u.getScheme().equalsIgnoreCase("http") || u.getScheme().equalsIgnoreCase("https"))
          && u.getHost() != null) {
        return u;
      }
    } catch (URISyntaxException e) {
      // fall through to the one message below; the URL itself may hold a token, so it is not
      // repeated
    }
    throw RedisOpsException.usage("notify.webhook: not an absolute http:// or https:// URL");
  }

  /**
   * The webhook without path, query or user info: webhook URLs often embed a token, so logs show
   * only this.
   */
  public static String redacted(URI webhook) {
    return webhook.getScheme()
        + "://"
        + webhook.getHost()
        + (webhook.getPort() < 0 ? "" : ":" + webhook.getPort())
        + "/...";
  }
}
