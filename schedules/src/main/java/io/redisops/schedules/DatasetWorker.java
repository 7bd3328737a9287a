package io.redisops.schedules;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.rdb.Verification;
import io.redisops.backup.service.AbortHandle;
import io.redisops.backup.service.BackupRequest;
import io.redisops.backup.service.BackupResult;
import io.redisops.backup.service.BackupService;
import io.redisops.backup.service.DatasetLock;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.LoggingProgress;
import io.redisops.redis.RedisEndpoint;
import io.redisops.schedules.status.DatasetStatus;
import io.redisops.schedules.status.StatusRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the scheduled backups of one dataset, one at a time. When several tiers fall due at the same
 * instant it takes ONE capture tagged with all of them, and the later triggers of that instant find
 * their tier already covered. Jobs only call this; it only calls the backup service.
 */
public final class DatasetWorker {
  private static final Logger log = LoggerFactory.getLogger(DatasetWorker.class);

  /**
   * What a run did. BUSY (another operation held the dataset's lock: retried later) and ABANDONED
   * (the daemon stopped past its grace) are routine: neither counts as a failure nor notifies
   * anyone. AWAITING_OTHER_HOST: another host's daemon takes this run and its backup is not seen
   * yet; the run is tried again later to look for it.
   */
  public enum Outcome {
    DONE,
    SKIPPED,
    FAILED,
    BUSY,
    ABANDONED,
    AWAITING_OTHER_HOST
  }

  private final String dataset;
  private final SourceResolver source;
  private final BackupService service;
  private final BackupCatalog catalog;
  private final Map<Tier, TierSchedule> schedules;
  private final StatusRegistry status;
  private final Clock clock;
  private final BackupSightings sightings;
  private final SnapshotMethod method;
  private final ReentrantLock running = new ReentrantLock();

  /** Per tier, the latest scheduled instant a backup has covered. */
  private final Map<Tier, Instant> covered = new EnumMap<>(Tier.class);

  private volatile AbortHandle current = new AbortHandle();
  private volatile boolean stopping;

  public DatasetWorker(
      String dataset,
      RedisEndpoint endpoint,
      BackupService service,
      BackupCatalog catalog,
      Map<Tier, TierSchedule> schedules,
      StatusRegistry status,
      Clock clock) {
    this(dataset, SourceResolver.fixed(endpoint), service, catalog, schedules, status, clock);
  }

  public DatasetWorker(
      String dataset,
      SourceResolver source,
      BackupService service,
      BackupCatalog catalog,
      Map<Tier, TierSchedule> schedules,
      StatusRegistry status,
      Clock clock) {
    this(
        dataset,
        source,
        service,
        catalog,
        schedules,
        status,
        clock,
        new BackupSightings(dataset, catalog, null),
        SnapshotMethod.AUTO);
  }

  /**
   * @param method how its backups are captured (the dataset's {@code method}); a bgsave is refused
   *     for a server the sentinels choose on another host
   */
  DatasetWorker(
      String dataset,
      SourceResolver source,
      BackupService service,
      BackupCatalog catalog,
      Map<Tier, TierSchedule> schedules,
      StatusRegistry status,
      Clock clock,
      BackupSightings sightings,
      SnapshotMethod method) {
    this.method = method;
    this.sightings = sightings;
    this.dataset = dataset;
    this.source = source;
    this.service = service;
    this.catalog = catalog;
    this.schedules = Map.copyOf(schedules);
    this.status = status;
    this.clock = clock;
  }

  public String dataset() {
    return dataset;
  }

  public Map<Tier, TierSchedule> schedules() {
    return schedules;
  }

  /** A trigger of {@code tier} fired for the scheduled instant {@code fireTime}. */
  public Outcome runScheduled(Tier tier, Instant fireTime) {
    running.lock();
    try {
      Set<Tier> due = EnumSet.of(tier);
      schedules.forEach(
          (t, s) -> {
            if (s.firesAt(fireTime)) {
              due.add(t); // falls due at the same instant: one capture for both
            }
          });
      due.removeIf(t -> isCovered(t, fireTime));
      if (due.isEmpty()) {
        log.info(
            "{}: the {} backup due at {} was already taken with another tier",
            dataset,
            tier.id(),
            fireTime);
        return Outcome.SKIPPED;
      }
      return run(due, fireTime, "scheduled");
    } finally {
      running.unlock();
    }
  }

  /**
   * A tier is covered for {@code fireTime} when a backup of it already stood for an instant less
   * than one period before: a trigger that fires late (blocked behind the capture it shared) must
   * not take a second backup.
   */
  private boolean isCovered(Tier t, Instant fireTime) {
    Instant c = covered.get(t);
    if (c == null) {
      return false;
    }
    if (!c.isBefore(fireTime)) {
      return true;
    }
    return Duration.between(c, fireTime).compareTo(schedules.get(t).period(c)) < 0;
  }

  /**
   * Runs a backup for {@code tiers} now (catch-up, retry); {@code covers} is the scheduled instant
   * it stands for, or null.
   */
  public Outcome runNow(Set<Tier> tiers, Instant covers, String why) {
    running.lock();
    try {
      Set<Tier> due = EnumSet.copyOf(tiers);
      if (covers != null) {
        due.removeIf(t -> isCovered(t, covers));
        if (due.isEmpty()) {
          return Outcome.SKIPPED;
        }
      }
      return run(due, covers, why);
    } finally {
      running.unlock();
    }
  }

  /**
   * The tiers whose newest backup is older than their period (or that have none): the daemon was
   * down at a due time. One capture at start covers them all; missed runs are not replayed one by
   * one.
   */
  public Set<Tier> missedTiers() {
    Instant now = clock.instant();
    Set<Tier> missed = EnumSet.noneOf(Tier.class);
    List<Manifest> backups;
    try {
      backups = catalog.list();
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to list the backups of " + dataset + ": " + e.getMessage(), e);
    }
    schedules.forEach(
        (tier, s) -> {
          Manifest newest = backups.stream().filter(m -> m.hasTier(tier)).findFirst().orElse(null);
          Duration period = s.period(now);
          if (newest == null
              || Duration.between(newest.snapshotTime(), now).compareTo(period) > 0) {
            missed.add(tier);
          }
          if (newest != null) {
            status.update(
                dataset,
                tier.id(),
                st ->
                    st.knownBackup(
                        newest.completedAt(),
                        Duration.ofMillis(newest.durationMs()),
                        newest.storedSize()));
          }
        });
    refreshDatasetStatus(backups);
    return missed;
  }

  /** Abandons the running capture, if any; later runs are refused. */
  public void abort() {
    stopping = true;
    current.abort();
  }

  public boolean isRunning() {
    return running.isLocked();
  }

  private Outcome run(Set<Tier> tiers, Instant covers, String why) {
    if (stopping) {
      return Outcome.SKIPPED;
    }
    Instant started = clock.instant();
    SourceResolver.Choice choice = source.choose();
    if (choice.skipped()) {
      log.info(
          "{}: {} backup for tiers {} skipped: {}",
          dataset,
          why,
          tiers.stream().map(Tier::id).toList(),
          choice.skipReason());
      if (choice.otherHost() && !recordTakenElsewhere(tiers, covers, choice.skipReason())) {
        return Outcome.AWAITING_OTHER_HOST;
      }
      return Outcome.SKIPPED;
    }
    log.info(
        "{}: {} backup for tiers {} starting from {}",
        dataset,
        why,
        tiers.stream().map(Tier::id).toList(),
        choice.endpoint());
    AbortHandle handle = new AbortHandle();
    current = handle;
    if (stopping) {
      handle.abort(); // abort() ran between the check above and this run's handle
    }
    try {
      BackupResult r =
          service.backup(
              new BackupRequest(dataset, choice.endpoint(), tiers, method),
              new LoggingProgress(clock, Duration.ofSeconds(10)),
              handle);
      Manifest m = r.manifest();
      Instant done = clock.instant();
      for (Tier t : tiers) {
        if (covers != null) {
          covered.merge(t, covers, (a, b) -> a.isAfter(b) ? a : b);
        }
        status.update(
            dataset,
            t.id(),
            st ->
                st.succeeded(
                    done, m.completedAt(), Duration.between(started, done), m.storedSize()));
      }
      refreshDatasetStatus(null);
      log.info(
          "{}: backup {} done ({} keys, {} bytes stored, tiers {})",
          dataset,
          m.id(),
          m.describeTotalKeys(),
          m.storedSize(),
          tiers.stream().map(Tier::id).toList());
      return Outcome.DONE;
    } catch (DatasetLock.Held e) {
      // A CLI backup, prune or restore of this dataset runs now: its result serves as well, and the
      // retry comes later.
      status.recordBusy(dataset);
      log.info(
          "{}: {} backup for tiers {} deferred, busy: {} (not a failure; retried later)",
          dataset,
          why,
          tiers.stream().map(Tier::id).toList(),
          e.getMessage());
      return Outcome.BUSY;
    } catch (RuntimeException e) {
      if (handle.aborted()) {
        // The daemon is stopping past its grace: the run was cut short on purpose, nothing partial
        // was stored.
        log.warn(
            "{}: {} backup for tiers {} abandoned: the daemon is stopping (not a failure; nothing was stored;"
                + " the next run takes it)",
            dataset,
            why,
            tiers.stream().map(Tier::id).toList());
        return Outcome.ABANDONED;
      }
      String cause =
          e instanceof RedisOpsException
              ? e.getMessage()
              : e.getClass().getSimpleName() + ": " + e.getMessage();
      Instant at = clock.instant();
      for (Tier t : tiers) {
        status.update(dataset, t.id(), st -> st.failed(at, cause));
      }
      log.warn(
          "{}: {} backup for tiers {} failed: {}",
          dataset,
          why,
          tiers.stream().map(Tier::id).toList(),
          cause);
      return Outcome.FAILED;
    }
  }

  /**
   * Another host's daemon takes this run (its Redis is the chosen source): its newest backup of
   * each scheduled tier, seen locally or off-site, counts as the tier's last success here, so this
   * daemon is healthy while that one works.
   *
   * @return whether that daemon's backup for this run is seen already (taken at or after {@code
   *     covers}, or, for a run that stands for no scheduled instant, within the tier's period);
   *     when not, the caller looks again later: that backup usually completes moments after the
   *     same scheduled instant
   */
  private boolean recordTakenElsewhere(Set<Tier> tiers, Instant covers, String reason) {
    // Every tier is refreshed, not only the due ones: a daily tier is then kept current by the
    // hourly runs.
    BackupSightings.Result seen = sightings.look(schedules.keySet());
    Instant at = clock.instant();
    boolean allSeen = true;
    for (Tier t : schedules.keySet()) {
      BackupSightings.Seen s = seen.newest().get(t);
      if (tiers.contains(t)) {
        allSeen &=
            s != null
                && (covers != null
                    ? !s.manifest().snapshotTime().isBefore(covers)
                    : Duration.between(s.manifest().snapshotTime(), at)
                            .compareTo(schedules.get(t).period(at))
                        <= 0);
      }
      if (s == null) {
        String why =
            reason
                + "; no "
                + t.id()
                + " backup of it seen yet in "
                + sightings.places()
                + (seen.problem() == null ? "" : " (" + seen.problem() + ")");
        status.update(dataset, t.id(), st -> st.takenElsewhere(at, null, null, -1, why));
      } else {
        Manifest m = s.manifest();
        String why =
            reason
                + "; its newest "
                + t.id()
                + " backup: "
                + m.id()
                + " ("
                + s.where()
                + ", completed "
                + m.completedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + ")";
        status.update(
            dataset,
            t.id(),
            st ->
                st.takenElsewhere(
                    at, m.completedAt(), Duration.ofMillis(m.durationMs()), m.storedSize(), why));
      }
    }
    return allSeen;
  }

  private void refreshDatasetStatus(List<Manifest> known) {
    try {
      List<Manifest> all = known != null ? known : catalog.list();
      status.updateDataset(
          new DatasetStatus(
              dataset,
              all.size(),
              all.stream().mapToLong(Manifest::storedSize).sum(),
              all.stream().filter(m -> m.verificationLevel() == Verification.CHECKSUM).count()));
    } catch (IOException e) {
      log.warn("{}: unable to count the repository's backups: {}", dataset, e.getMessage());
    }
  }
}
