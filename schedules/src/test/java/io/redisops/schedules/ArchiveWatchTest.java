package io.redisops.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.archive.ArchiverStatus;
import io.redisops.backup.archive.ArchiverStatus.State;
import io.redisops.schedules.observe.HealthEvaluator;
import io.redisops.schedules.observe.NotificationEvent;
import io.redisops.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ArchiveWatchTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private static ArchiverStatus streaming(Instant sealed) {
    return new ArchiverStatus(
        "a",
        State.STREAMING,
        "m",
        "t",
        "r",
        10,
        10,
        sealed,
        null,
        null,
        0,
        Duration.ofSeconds(1),
        null);
  }

  private static ArchiverStatus failing(Instant since, Instant sealed) {
    return new ArchiverStatus(
        "a",
        State.RECONNECTING,
        null,
        "t",
        "r",
        10,
        10,
        sealed,
        "connection refused",
        since,
        0,
        Duration.ofSeconds(1),
        null);
  }

  @Test
  void oneNotificationWhenTheArchiveStopsAndOneWhenItRecovers() {
    MutableClock clock = new MutableClock(T0);
    AtomicReference<ArchiverStatus> now = new AtomicReference<>(streaming(T0));
    List<NotificationEvent> sent = new ArrayList<>();
    ArchiveWatch watch = new ArchiveWatch(() -> List.of(now.get()), clock, sent::add, "h");

    watch.check();
    now.set(failing(T0.plusSeconds(1), T0));
    clock.advance(Duration.ofSeconds(30));
    watch.check(); // failing for 29 s: within the tolerance
    assertThat(sent).isEmpty();

    clock.advance(Duration.ofSeconds(40));
    watch.check();
    watch.check();
    assertThat(sent).extracting(NotificationEvent::event).containsExactly("archive_stopped");
    assertThat(sent.get(0).fields().get("error").toString()).contains("connection refused");

    now.set(streaming(clock.instant()));
    watch.check();
    assertThat(sent)
        .extracting(NotificationEvent::event)
        .containsExactly("archive_stopped", "archive_recovered");
  }

  @Test
  void healthIsUnhealthyWhileTheCoverageStandsStill() {
    MutableClock clock = new MutableClock(T0.plusSeconds(120));
    HealthEvaluator h = new HealthEvaluator(clock, Duration.ofMinutes(10));

    assertThat(
            h.evaluate(List.of(), List.of(), List.of(), List.of(streaming(T0.plusSeconds(119))))
                .problems())
        .isEmpty();
    assertThat(h.evaluate(List.of(), List.of(), List.of(), List.of(streaming(T0))).problems())
        .singleElement()
        .satisfies(p -> assertThat(p.reason()).contains("dataset a").contains("sealed nothing"));
  }

  @Test
  void anOffsiteLagPastTheToleranceIsAProblem() {
    Instant now = T0.plusSeconds(100);
    ArchiverStatus fresh = streaming(now);
    assertThat(io.redisops.schedules.observe.ArchiveHealth.problem(fresh, now)).isNull();
    assertThat(
            io.redisops.schedules.observe.ArchiveHealth.problem(
                fresh.withOffsiteLag(Duration.ofSeconds(5)), now))
        .isNull();
    assertThat(
            io.redisops.schedules.observe.ArchiveHealth.problem(
                fresh.withOffsiteLag(Duration.ofSeconds(61)), now))
        .contains("off-site archive is 61 s behind");
  }
}
