package io.redisops.schedules.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.redisops.config.NotifySettings;
import io.redisops.schedules.status.StatusListener;
import io.redisops.schedules.status.TierStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends events to the configured command and/or webhook. As a {@link StatusListener} it turns tier
 * changes into events:
 *
 * <ul>
 *   <li>{@code backup_failed} on the first failure after a success, then again at most once per
 *       repeat interval (default one hour) while the tier keeps failing, so retries every few
 *       minutes do not flood anyone;
 *   <li>{@code backup_recovered} on the first success after failures.
 * </ul>
 *
 * <p>Delivery runs on one thread of its own, in order, each hook bounded by the timeout: a slow or
 * hanging hook never holds up a backup job. A failing hook is logged at WARN with its cause;
 * nothing here throws to the caller. At most {@value #QUEUE} events wait; beyond that new ones are
 * dropped with a WARN.
 */
public final class Notifier implements StatusListener, AutoCloseable {
  public static final Duration DEFAULT_REPEAT = Duration.ofHours(1);
  static final int QUEUE = 100;
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Hook> hooks = new ArrayList<>();
  private final Duration timeout;
  private final Clock clock;
  private final String host;
  private final Duration repeat;
  private final Map<String, Instant> lastFailureNotice = new ConcurrentHashMap<>();
  private final ThreadPoolExecutor executor;

  /** With the default repeat interval of one hour. */
  public Notifier(NotifySettings settings, Clock clock, String host) {
    this(settings, clock, host, DEFAULT_REPEAT);
  }

  /**
   * @param host the host name put into events ({@link #localHostName()} in the daemon)
   * @param repeat minimum time between two {@code backup_failed} events of one tier while it keeps
   *     failing
   */
  public Notifier(NotifySettings settings, Clock clock, String host, Duration repeat) {
    if (!settings.command().isEmpty()) {
      hooks.add(new CommandHook(settings.command(), settings.timeout()));
    }
    if (settings.webhook() != null) {
      hooks.add(new WebhookHook(settings.webhook(), settings.timeout()));
    }
    this.timeout = settings.timeout();
    this.clock = clock;
    this.host = host;
    this.repeat = repeat;
    this.executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "redis-ops-notify");
              t.setDaemon(true);
              return t;
            },
            (r, ex) ->
                LOG.warn(
                    "notification dropped: {}",
                    ex.isShutdown()
                        ? "the notifier is closed"
                        : QUEUE + " notifications are already waiting"));
  }

  /** Whether any hook is configured; when not, events are only logged at DEBUG. */
  public boolean enabled() {
    return !hooks.isEmpty();
  }

  @Override
  public void changed(TierStatus before, TierStatus after) {
    String key = after.dataset() + "\u0000" + after.tier();
    Instant now = clock.instant();
    if (!after.lastAttemptOk() && after.failures() > before.failures()) {
      Instant last = lastFailureNotice.get(key);
      boolean first = before.consecutiveFailures() == 0 || last == null;
      if (first || Duration.between(last, now).compareTo(repeat) >= 0) {
        lastFailureNotice.put(key, now);
        send(NotificationEvent.backupFailed(after, now, host));
      }
    } else if (before.consecutiveFailures() > 0
        && after.consecutiveFailures() == 0
        && after.lastAttemptOk()) {
      lastFailureNotice.remove(key);
      send(NotificationEvent.backupRecovered(after, before.consecutiveFailures(), now, host));
    }
  }

  /** Queues one event for every configured hook and returns at once. Never throws. */
  public void send(NotificationEvent event) {
    if (hooks.isEmpty()) {
      LOG.debug("no notification hook configured; event {} not sent", event.event());
      return;
    }
    executor.execute(() -> deliver(event));
  }

  private void deliver(NotificationEvent event) {
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(event.toJson());
    } catch (IOException e) {
      LOG.warn(
          "notification {} not sent: unable to write it as JSON: {}", event.event(), e.toString());
      return;
    }
    String what = event.event() + subject(event);
    for (Hook hook : hooks) {
      try {
        hook.deliver(json);
        LOG.info("notification {} sent via {}", what, hook.describe());
      } catch (InterruptedException e) {
        LOG.warn(
            "notification {} via {} abandoned: the notifier is closing", what, hook.describe());
        Thread.currentThread().interrupt();
        return;
      } catch (IOException | RuntimeException e) {
        LOG.warn("notification {} via {} failed: {}", what, hook.describe(), e.getMessage());
      }
    }
  }

  private static String subject(NotificationEvent e) {
    Object dataset = e.fields().get("dataset");
    Object tier = e.fields().get("tier");
    return dataset == null ? "" : " (" + dataset + (tier == null ? "" : "/" + tier) + ")";
  }

  /**
   * Stops taking events and lets the queued ones finish for at most one hook timeout per hook plus
   * two seconds; what still runs then is abandoned (a running command is killed). For the daemon's
   * shutdown.
   */
  @Override
  public void close() {
    executor.shutdown();
    try {
      long waitMillis = timeout.toMillis() * Math.max(1, hooks.size()) + 2000;
      if (!executor.awaitTermination(waitMillis, TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * This host's name for events: the resolved local host name, else {@code HOSTNAME}, else {@code
   * unknown}.
   */
  public static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String env = System.getenv("HOSTNAME");
      return env == null || env.isBlank() ? "unknown" : env;
    }
  }
}
