package io.redisops.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeadlineTest {
  /** A clock the test moves by hand. */
  static final class HandClock extends Clock {
    Instant now = Instant.parse("2026-12-01T10:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void passesOnlyWhenTheInjectedClockIsBeyondIt() {
    HandClock clock = new HandClock();
    Deadline d = Deadline.after(clock, Duration.ofSeconds(60));
    assertThat(d.passed()).isFalse();
    assertThat(d.remaining()).isEqualTo(Duration.ofSeconds(60));
    clock.now = clock.now.plusSeconds(60);
    assertThat(d.passed()).isFalse();
    assertThat(d.elapsed()).isEqualTo(Duration.ofSeconds(60));
    clock.now = clock.now.plusMillis(1);
    assertThat(d.passed()).isTrue();
    assertThat(d.remaining()).isZero();
  }

  @Test
  void awaitReturnsWhenTheConditionHoldsOrFalseWhenTheClockPassesTheDeadline() {
    HandClock clock = new HandClock();
    AtomicInteger probes = new AtomicInteger();
    assertThat(Deadline.after(clock, Duration.ofSeconds(5)).await(() -> probes.incrementAndGet() == 3, Duration.ZERO))
        .isTrue();
    assertThat(probes).hasValue(3);
    Deadline d = Deadline.after(clock, Duration.ofSeconds(5));
    assertThat(d.await(() -> {
      clock.now = clock.now.plusSeconds(2); // each probe takes two seconds of the test's clock
      return false;
    }, Duration.ZERO)).isFalse();
    assertThat(d.elapsed()).isEqualTo(Duration.ofSeconds(6));
  }
}
