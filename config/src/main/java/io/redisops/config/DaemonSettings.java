package io.redisops.config;

import io.redisops.text.Durations;
import java.time.Duration;
import java.util.Optional;

/**
 * The daemon's observability settings, validated.
 *
 * @param listen where /metrics and /health are served; empty when {@code http.listen: off}
 * @param healthGrace how much later than its period a tier's newest backup may be before /health
 *     says unhealthy
 * @param notifications notification hooks
 * @param archive the point-in-time archive ({@code archive.*})
 */
public record DaemonSettings(
    Optional<ListenAddress> listen,
    Duration healthGrace,
    NotifySettings notifications,
    ArchiveSettings archive) {

  /** Settings without an archive. */
  public DaemonSettings(
      Optional<ListenAddress> listen, Duration healthGrace, NotifySettings notifications) {
    this(listen, healthGrace, notifications, ArchiveSettings.disabled());
  }

  /** Default slack beyond a tier's period before its newest backup counts as stale. */
  public static final Duration DEFAULT_HEALTH_GRACE = Duration.ofMinutes(10);

  /** The documented defaults: /metrics and /health on 127.0.0.1:9121, no notification hooks. */
  public static DaemonSettings defaults() {
    return new DaemonSettings(
        ListenAddress.parse(null, "http.listen"), DEFAULT_HEALTH_GRACE, NotifySettings.none());
  }

  /** No HTTP endpoint and no hooks (for embedding and tests). */
  public static DaemonSettings quiet() {
    return new DaemonSettings(Optional.empty(), DEFAULT_HEALTH_GRACE, NotifySettings.none());
  }

  static DaemonSettings resolve(Config c) {
    Config.Http http = c.http();
    Optional<ListenAddress> listen =
        ListenAddress.parse(http == null ? null : http.listen(), "http.listen");
    Duration grace =
        http == null || http.healthGrace() == null
            ? DEFAULT_HEALTH_GRACE
            : Durations.parse(http.healthGrace(), "http.health-grace");
    return new DaemonSettings(
        listen,
        grace,
        NotifySettings.from(c.notifications()),
        ArchiveSettings.resolve(c.archive()));
  }
}
