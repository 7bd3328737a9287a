package io.redisops.schedules;

import io.redisops.backup.archive.ArchiverStatus;
import io.redisops.schedules.observe.ArchiveHealth;
import io.redisops.schedules.observe.NotificationEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Sends {@code archive_stopped} when an archiver gets into trouble ({@link ArchiveHealth}) and
 * {@code archive_recovered} when it is out of it, once per change. {@link #check()} is called every
 * few seconds by the daemon.
 */
final class ArchiveWatch {
  static final String STOPPED = "archive_stopped";
  static final String RECOVERED = "archive_recovered";

  private final Supplier<List<ArchiverStatus>> archives;
  private final Clock clock;
  private final Consumer<NotificationEvent> notify;
  private final String host;
  private final Map<String, String> troubled = new HashMap<>();

  ArchiveWatch(
      Supplier<List<ArchiverStatus>> archives,
      Clock clock,
      Consumer<NotificationEvent> notify,
      String host) {
    this.archives = archives;
    this.clock = clock;
    this.notify = notify;
    this.host = host;
  }

  synchronized void check() {
    Instant now = clock.instant();
    for (ArchiverStatus a : archives.get()) {
      String problem = ArchiveHealth.problem(a, now);
      String before = troubled.get(a.dataset());
      if (problem != null && before == null) {
        troubled.put(a.dataset(), problem);
        notify.accept(event(STOPPED, a, now, problem));
      } else if (problem == null && before != null) {
        troubled.remove(a.dataset());
        if (a.state() != ArchiverStatus.State.STOPPED) {
          notify.accept(event(RECOVERED, a, now, null));
        }
      }
    }
  }

  private NotificationEvent event(String type, ArchiverStatus a, Instant now, String problem) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("dataset", a.dataset());
    f.put("error", problem);
    f.put("last_sealed_at", a.lastSealedAt() == null ? null : a.lastSealedAt().toString());
    f.put("master", a.master());
    return NotificationEvent.of(type, now, host, f);
  }
}
