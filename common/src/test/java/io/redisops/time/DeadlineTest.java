package io.redisops.time;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeadlineTest {
  @Test
  void passesOnlyWhenTheInjectedClockIsBeyondIt() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    Deadline d = Deadline.after(clock, Duration.ofSeconds(60));
    assertThat(d.passed()).isFalse();
    assertThat(d.remaining()).isEqualTo(Duration.ofSeconds(60));
    clock.advance(Duration.ofSeconds(60));
    assertThat(d.passed()).isFalse();
    assertThat(d.elapsed()).isEqualTo(Duration.ofSeconds(60));
    clock.advance(Duration.ofMillis(1));
    assertThat(d.passed()).isTrue();
    assertThat(d.remaining()).isZero();
  }

  @Test
  void awaitReturnsWhenTheConditionHoldsOrFalseWhenTheClockPassesTheDeadline() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    AtomicInteger probes = new AtomicInteger();
    assertThat(
            Deadline.after(clock, Duration.ofSeconds(5))
                .await(() -> probes.incrementAndGet() == 3, Duration.ZERO))
        .isTrue();
    assertThat(probes).hasValue(3);
    Deadline d = Deadline.after(clock, Duration.ofSeconds(5));
    assertThat(
            d.await(
                () -> {
                  clock.advance(
                      Duration.ofSeconds(2)); // each probe takes two seconds of the test's clock
                  return false;
                },
                Duration.ZERO))
        .isFalse();
    assertThat(d.elapsed()).isEqualTo(Duration.ofSeconds(6));
  }
}
