package io.redisops.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polls a condition until it holds or a deadline passes: the testkit's replacement for fixed
 * sleeps.
 *
 * <p>An exception thrown by the condition counts as "not yet" (a server that is still starting
 * refuses connections); the last one is attached as the cause of the timeout error.
 */
public final class Await {

  /**
   * Pause between two polls: short enough for fast tests, long enough not to hammer a starting
   * server.
   */
  static final long POLL_MILLIS = 25;

  private Await() {}

  /**
   * Waits until {@code condition} returns true.
   *
   * @param timeout how long to keep polling
   * @param what what is awaited, for the error message ("replica 127.0.0.1:1234 in sync")
   * @param condition polled every {@value #POLL_MILLIS} ms; exceptions count as false
   * @throws AssertionError when the deadline passes, naming {@code what}
   */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    value(timeout, what, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
  }

  /**
   * Waits until {@code probe} returns a non-null value and returns it.
   *
   * @throws AssertionError when the deadline passes, naming {@code what}
   */
  public static <T> T value(Duration timeout, String what, Supplier<T> probe) {
    Objects.requireNonNull(probe, "probe");
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        T value = probe.get();
        if (value != null) {
          return value;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.nanoTime() - deadline >= 0) {
        AssertionError error =
            new AssertionError(
                "timed out after "
                    + timeout.toMillis()
                    + " ms waiting for "
                    + what
                    + (last == null ? "" : " (last error: " + last + ")"));
        if (last != null) {
          error.initCause(last);
        }
        throw error;
      }
      pause();
    }
  }

  static void pause() {
    try {
      // The one sleep of the testkit: the gap between two polls of a condition, never a wait for an
      // outcome.
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting", e);
    }
  }
}
