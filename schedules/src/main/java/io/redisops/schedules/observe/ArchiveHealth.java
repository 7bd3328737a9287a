package io.redisops.schedules.observe;

import io.redisops.backup.archive.ArchiverStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * When a point-in-time archiver is in trouble: it has not streamed for longer than {@link
 * #tolerance}, or it streams but its coverage has not moved on for that long. /health, and the
 * {@code archive_stopped} / {@code archive_recovered} notifications, use the same rule. With an
 * off-site repository, an off-site archive further behind the local one than {@link #tolerance} is
 * trouble too (the host's loss would lose more than that).
 */
public final class ArchiveHealth {
  /** The shortest tolerance: a reconnection or a failover takes some seconds. */
  public static final Duration MIN_TOLERANCE = Duration.ofSeconds(60);

  private ArchiveHealth() {}

  /** 60 s, or three segment periods when that is longer. */
  public static Duration tolerance(ArchiverStatus s) {
    Duration three = s.segment() == null ? Duration.ZERO : s.segment().multipliedBy(3);
    return three.compareTo(MIN_TOLERANCE) > 0 ? three : MIN_TOLERANCE;
  }

  /** Why the archiver is in trouble at {@code now}, or null when it is not. */
  public static String problem(ArchiverStatus s, Instant now) {
    Duration tolerance = tolerance(s);
    if (s.state() == ArchiverStatus.State.STOPPED) {
      return null; // the daemon is stopping
    }
    if (s.errorSince() != null && Duration.between(s.errorSince(), now).compareTo(tolerance) > 0) {
      return "the archiver has not received the master's stream since "
          + s.errorSince().truncatedTo(ChronoUnit.SECONDS)
          + ": "
          + s.lastError();
    }
    if (s.state() == ArchiverStatus.State.STREAMING
        && s.lastSealedAt() != null
        && Duration.between(s.lastSealedAt(), now).compareTo(tolerance) > 0) {
      return "the archive has sealed nothing since "
          + s.lastSealedAt().truncatedTo(ChronoUnit.SECONDS)
          + " although the archiver streams";
    }
    if (s.offsiteLag() != null && s.offsiteLag().compareTo(tolerance) > 0) {
      return "the off-site archive is "
          + s.offsiteLag().toSeconds()
          + " s behind the local one (more than "
          + tolerance.toSeconds()
          + " s): segments are not reaching the off-site repository";
    }
    return null;
  }
}
