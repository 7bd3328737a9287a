package io.redisops.backup.archive;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A dataset's point-in-time archive at a glance, as {@code info} and {@code list} show it: whether
 * there is one, its timelines and gaps, from when to when it covers, and how far behind the present
 * (and the off-site archive behind the local one) it is.
 *
 * <p>Cheap on purpose ({@code list} is a command a person types): it reads the listing of the
 * dataset's archive ({@link ArchiveStore#timelines}), each timeline's small record, and the newest
 * segment record of the newest timeline that has one ({@link ArchiveStore#lastOf}), never every
 * segment record ({@code archive status} reads those, through {@link ArchiveCoverage}). A dataset
 * without an archive costs one listing of a folder that does not exist. Read-only, and only through
 * {@link ArchiveStore}'s public methods.
 */
public final class ArchiveSummary {

  /**
   * A dataset's archive in one repository (the JSON of {@code info} and {@code list}; fields are
   * only ever added).
   *
   * @param archived whether the repository holds an archive of the dataset (at least one timeline)
   * @param timelines how many timelines it holds (a timeline is a stretch of the stream without a
   *     gap)
   * @param gaps how many of them start after a gap (the stream before could not be continued)
   * @param newestTimeline the newest timeline's name (a UTC time), null without an archive
   * @param from the earliest instant a restore can take from the archive: the later of when its
   *     oldest timeline started and the oldest backup's snapshot in the same repository (a restore
   *     needs a backup at or before the instant; retention removes the segments older than the
   *     oldest kept backup); null without an archive
   * @param to the archive holds everything the master sent up to this instant (the newest segment
   *     record's {@code sealed_at}); null before the first segment
   * @param lagSeconds seconds from {@code to} to now, null when {@code to} is
   * @param error why the archive could not be read (a damaged record, the store failing), else null
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Place(
      boolean archived,
      int timelines,
      int gaps,
      String newestTimeline,
      Instant from,
      Instant to,
      Long lagSeconds,
      String error) {

    static Place none() {
      return new Place(false, 0, 0, null, null, null, null, null);
    }

    static Place failed(String error) {
      return new Place(false, 0, 0, null, null, null, null, error);
    }
  }

  /**
   * One dataset's archive, local and off-site.
   *
   * @param enabled whether the dataset is configured and {@code archive.enabled} is set (the daemon
   *     archives it)
   * @param local the local archive, null when the local repository was not read
   * @param offsite the off-site archive, null without an off-site repository (or when it was not
   *     read)
   * @param offsiteLagSeconds how far the off-site archive is behind the local one: the local {@code
   *     to} minus the off-site {@code to} (0 when up to date; from the local {@code to} to now when
   *     nothing is off-site yet), as {@code redis_ops_archive_offsite_lag_seconds}; null unless
   *     both were read and the local archive has a segment
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record DatasetArchive(
      String dataset, boolean enabled, Place local, Place offsite, Long offsiteLagSeconds) {

    /** Whether there is anything to show: an archive in a place read, or the archive enabled. */
    public boolean shown() {
      return enabled
          || (local != null && (local.archived() || local.error() != null))
          || (offsite != null && (offsite.archived() || offsite.error() != null));
    }
  }

  private final Clock clock;

  public ArchiveSummary(Clock clock) {
    this.clock = clock;
  }

  /**
   * The dataset's archive in {@code store}.
   *
   * @param oldestBackup the snapshot time of the dataset's oldest backup in the same repository,
   *     null when it has none
   */
  public Place place(ArchiveStore store, String dataset, Instant oldestBackup) {
    try {
      return read(store, dataset, oldestBackup);
    } catch (IOException | RedisOpsException | java.io.UncheckedIOException e) {
      String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return Place.failed(what);
    }
  }

  private Place read(ArchiveStore store, String dataset, Instant oldestBackup) throws IOException {
    List<String> names = store.timelines(dataset);
    if (names.isEmpty()) {
      return Place.none();
    }
    int timelines = 0;
    int gaps = 0;
    Instant started = null;
    for (String name : names) {
      ArchiveStore.TimelineRecord t;
      try {
        t = store.timeline(dataset, name);
      } catch (NoSuchFileException e) {
        continue; // removed by retention since the listing
      }
      timelines++;
      if (t.gap() != null) {
        gaps++;
      }
      if (started == null) {
        started = t.startedAt();
      }
    }
    if (timelines == 0) {
      return Place.none();
    }
    Instant to = null;
    for (int i = names.size() - 1; i >= 0 && to == null; i--) {
      Optional<ArchiveStore.SegmentRecord> last;
      try {
        last = store.lastOf(dataset, names.get(i));
      } catch (NoSuchFileException e) {
        continue;
      }
      if (last.isPresent()) {
        to = last.get().sealedAt();
      }
    }
    Instant from = started;
    if (from != null && oldestBackup != null && oldestBackup.isAfter(from)) {
      from = oldestBackup;
    }
    return new Place(
        true,
        timelines,
        gaps,
        names.get(names.size() - 1),
        from,
        to,
        to == null ? null : secondsBetween(to, clock.instant()),
        null);
  }

  /**
   * The dataset's archive over the places read (the off-site lag counted on this summary's clock).
   *
   * @param local the local place, null when not read
   * @param offsite the off-site place, null when not read
   */
  public DatasetArchive dataset(String dataset, boolean enabled, Place local, Place offsite) {
    Long offsiteLag = null;
    if (local != null && offsite != null && local.to() != null && offsite.error() == null) {
      offsiteLag =
          offsite.to() == null
              ? secondsBetween(local.to(), clock.instant())
              : secondsBetween(offsite.to(), local.to());
    }
    return new DatasetArchive(dataset, enabled, local, offsite, offsiteLag);
  }

  private static long secondsBetween(Instant from, Instant to) {
    return Math.max(0, Duration.between(from, to).toSeconds());
  }
}
