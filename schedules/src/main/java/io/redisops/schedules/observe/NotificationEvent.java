package io.redisops.schedules.observe;

import io.redisops.schedules.status.TierStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One event sent to the notification hooks, as a flat JSON object: {@code event}, {@code time},
 * {@code host}, then the event's own fields in order. Backup events carry {@code dataset}, {@code
 * tier}, {@code error}, {@code consecutive_failures}; later features (Sentinel failover) add their
 * own with {@link #of}. Fields must never hold a secret: hooks forward them to chat and mail.
 *
 * @param event event type, e.g. {@code backup_failed}
 * @param time when it happened
 * @param host the host the daemon runs on
 * @param fields further fields (values: strings, numbers, booleans, null)
 */
public record NotificationEvent(
    String event, Instant time, String host, Map<String, Object> fields) {
  public static final String BACKUP_FAILED = "backup_failed";
  public static final String BACKUP_RECOVERED = "backup_recovered";

  public NotificationEvent {
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** A generic event; {@code fields} keep their iteration order in the JSON. */
  public static NotificationEvent of(
      String event, Instant time, String host, Map<String, Object> fields) {
    return new NotificationEvent(event, time, host, fields);
  }

  /** A failed attempt of a tier: its time, error and how many failures in a row. */
  public static NotificationEvent backupFailed(TierStatus t, Instant fallbackTime, String host) {
    return backup(BACKUP_FAILED, t, fallbackTime, host, t.lastError());
  }

  /**
   * The first success of a tier after failures; {@code consecutive_failures} is how many preceded
   * it.
   */
  public static NotificationEvent backupRecovered(
      TierStatus t, long failuresBefore, Instant fallbackTime, String host) {
    NotificationEvent e = backup(BACKUP_RECOVERED, t, fallbackTime, host, null);
    Map<String, Object> f = new LinkedHashMap<>(e.fields());
    f.put("consecutive_failures", failuresBefore);
    return new NotificationEvent(e.event(), e.time(), host, f);
  }

  private static NotificationEvent backup(
      String event, TierStatus t, Instant fallbackTime, String host, String error) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("dataset", t.dataset());
    f.put("tier", t.tier());
    f.put("error", error);
    f.put("consecutive_failures", t.consecutiveFailures());
    return new NotificationEvent(
        event, t.lastAttempt() != null ? t.lastAttempt() : fallbackTime, host, f);
  }

  /** The JSON object's content: event, time (ISO-8601 UTC), host, then the fields. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event", event);
    m.put("time", time.truncatedTo(ChronoUnit.MILLIS).toString());
    m.put("host", host);
    fields.forEach(m::putIfAbsent);
    return m;
  }
}
