package io.redisops.recovery.pitr;

import java.time.Instant;

/**
 * Which archived commands an instant includes. The archive knows a command's time only to the
 * second (its {@code #TS:<unix seconds>} annotation, the receive time), so an instant selects whole
 * seconds: the commands of second {@code s} are included exactly when all of that second lies at or
 * before the instant.
 *
 * <p>With {@code restore --at} as {@link io.redisops.recovery.select.RestoreTime} parses it, a time
 * given to the second ({@code 12:00:20}) stands for the whole second (up to 12:00:20.999999999), so
 * the commands received in that second are included, as for snapshots (issue 13 item 6). A time
 * with a fraction ({@code 12:00:20.500Z}), or a relative one, ends inside its second, so that
 * second's commands are excluded: a restore never brings back a write made after the instant.
 */
public final class CutRule {
  private CutRule() {}

  /** The last second (unix seconds) whose commands {@code at} includes. */
  public static long lastSecond(Instant at) {
    // at + 1 ns is the first instant NOT covered; the seconds that end at or before it are included
    return at.plusNanos(1).getEpochSecond() - 1;
  }

  /** The instant just after the last included second: the archive must hold every byte up to it. */
  public static Instant coveredUntil(Instant at) {
    return Instant.ofEpochSecond(lastSecond(at) + 1).minusNanos(1);
  }
}
