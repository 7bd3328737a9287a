package io.redisops.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * A moment on an injected {@link Clock} by which something must have happened, and the pause
 * between two probes of a condition. Every wait of redis-ops goes through it, so that a test's
 * clock decides what "too late" is.
 *
 * <pre>{@code
 * Deadline d = Deadline.after(clock, Duration.ofSeconds(60));
 * while (!condition()) {
 *   if (d.passed()) throw ...;
 *   Deadline.pause(Deadline.POLL);
 * }
 * }</pre>
 */
public final class Deadline {
  /** The usual pause between two probes of a condition. */
  public static final Duration POLL = Duration.ofMillis(100);

  private final Clock clock;
  private final Instant start;
  private final Instant end;
  private final Duration timeout;

  private Deadline(Clock clock, Duration timeout) {
    this.clock = clock;
    this.timeout = timeout;
    this.start = clock.instant();
    this.end = start.plus(timeout);
  }

  /** The deadline {@code timeout} from now on {@code clock}. */
  public static Deadline after(Clock clock, Duration timeout) {
    return new Deadline(clock, timeout);
  }

  /** Whether the clock is past the deadline. */
  public boolean passed() {
    return clock.instant().isAfter(end);
  }

  /** Time since the deadline was set. */
  public Duration elapsed() {
    return Duration.between(start, clock.instant());
  }

  /** Time left, zero once passed. */
  public Duration remaining() {
    Duration d = Duration.between(clock.instant(), end);
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** How long it was set for (for messages: "within 60 s"). */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Probes {@code condition} every {@code poll} until it holds or the deadline passes.
   *
   * @return true when it held, false when the deadline passed first
   */
  public boolean await(BooleanSupplier condition, Duration poll) {
    while (!condition.getAsBoolean()) {
      if (passed()) {
        return false;
      }
      pause(poll);
    }
    return true;
  }

  /**
   * Sleeps {@code d}: the one pause of a wait loop, between two probes of a condition.
   *
   * @throws IllegalStateException when the thread is interrupted (the interrupt flag is set again)
   */
  public static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting", e);
    }
  }
}
