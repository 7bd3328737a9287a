package io.redisops.schedules;

import io.redisops.backup.archive.ArchiveCompactor;
import io.redisops.backup.archive.ArchivePusher;
import io.redisops.backup.archive.ArchiveStore;
import io.redisops.backup.archive.Archiver;
import io.redisops.backup.archive.ArchiverStatus;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.BackupService;
import io.redisops.backup.service.DatasetLock;
import io.redisops.backup.service.Offsite;
import io.redisops.config.ArchiveSettings;
import io.redisops.config.OffsiteSettings;
import io.redisops.config.Settings;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.ServerResolver;
import io.redisops.sentinel.Topology;
import io.redisops.sentinel.TopologyReader;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's point-in-time archiver of one dataset: a long-running thread (not a Quartz job: it
 * streams without end), started with the daemon and stopped with it. Each connection attempt asks
 * for the master again: the configured Redis, or for a Sentinel-monitored dataset the master in the
 * sentinels' current view (never the old master after a failover); the new master continues the
 * stream under the old replication id. With an off-site repository, an {@link ArchivePusher} on a
 * second thread copies every sealed segment there.
 *
 * <p>A third thread compacts the local archive ({@link ArchiveCompactor}) every {@link
 * #COMPACT_EVERY}, here rather than in the prune after a backup: it must not depend on the backup
 * schedule (with daily backups alone the segments of a whole day would pile up), and this is where
 * the pusher is, which gets each merged segment at once and replaces its parts off-site. It runs
 * under the dataset's lock, taken without waiting (a backup, prune or restore running: it tries
 * again next time), so a restore never sees segments vanish under it.
 */
final class ArchiveRunner {
  private static final Logger log = LoggerFactory.getLogger(ArchiveRunner.class);
  private static final Duration LOCK_WAIT = Duration.ofMinutes(2);

  /** How often the local archive is compacted. */
  static final Duration COMPACT_EVERY = Duration.ofMinutes(5);

  /** The first compaction after a start (what piled up while the daemon was stopped). */
  private static final Duration FIRST_COMPACTION = Duration.ofMinutes(1);

  private final Archiver archiver;
  private final Thread thread;
  private final Offsite offsite;
  private final ArchivePusher pusher;
  private final Thread pushThread;
  private final BackupContext context;
  private final ArchiveCompactor compactor;
  private final Duration settle;
  private final Clock clock;
  private ScheduledExecutorService compaction;

  ArchiveRunner(
      Settings.DatasetSettings ds,
      BackupContext context,
      ArchiveSettings settings,
      Optional<OffsiteSettings> offsiteSettings,
      SentinelClient sentinels,
      Clock clock) {
    BackupService service = BackupService.standard(context);
    String name = ds.name();
    Archiver.Settings defaults = Archiver.Settings.defaults();
    ArchiveStore local = new ArchiveStore(context.repository(), context.compression());
    this.context = context;
    this.clock = clock;
    this.compactor = new ArchiveCompactor(local);
    // a span is merged once the archiver has sealed what it received in it
    Duration twoSeals = settings.segment().multipliedBy(2);
    this.settle = twoSeals.compareTo(Duration.ofMinutes(1)) > 0 ? twoSeals : Duration.ofMinutes(1);
    this.archiver =
        new Archiver(
            name,
            master(ds, sentinels, clock),
            local,
            context.catalog(name),
            (master, rdb, at, position) ->
                service.storeBase(name, master, rdb, at, position, LOCK_WAIT),
            clock,
            new Archiver.Settings(
                settings.segment(),
                settings.segmentBytes(),
                context.redisTimeout(),
                defaults.readTimeout(),
                defaults.retryMax(),
                LOCK_WAIT));
    this.thread = new Thread(archiver, "archiver-" + name);
    thread.setDaemon(true);
    if (offsiteSettings.isPresent()) {
      this.offsite = offsiteSettings.get().connect(context);
      this.pusher = new ArchivePusher(name, local, offsite.archive(), clock);
      archiver.onSealed(pusher::submit);
      this.pushThread = new Thread(pusher, "archive-push-" + name);
      pushThread.setDaemon(true);
    } else {
      this.offsite = null;
      this.pusher = null;
      this.pushThread = null;
    }
  }

  /** Where the stream comes from, asked again at every connection attempt. */
  static Supplier<RedisEndpoint> master(
      Settings.DatasetSettings ds, SentinelClient sentinels, Clock clock) {
    if (ds.sentinel() == null) {
      return ds::endpoint;
    }
    TopologyReader reader = new TopologyReader(sentinels, ds.sentinel(), clock);
    return () -> {
      Topology t = reader.read(false);
      if (t.stale()) {
        throw RedisOpsException.failed(
            "the sentinels' view of '"
                + t.masterName()
                + "' cannot be trusted ("
                + t.staleReason()
                + "); the archiver waits for it");
      }
      Topology.Instance m = t.master();
      return ServerResolver.sameServer(sentinels, m, ds.endpoint())
          ? ds.endpoint()
          : reader.target().redisAt(m.host(), m.port());
    };
  }

  String dataset() {
    return archiver.dataset();
  }

  /**
   * Runs {@code push} (on the archiver's thread: it must not block) each time the archiver has
   * stored a new base and recorded the timeline that continues it; set before {@link #start()}.
   */
  void onBaseStored(Runnable push) {
    archiver.onBaseStored(
        base -> {
          log.info("archiver of {}: base {} stored; pushing it off-site now", dataset(), base.id());
          push.run();
        });
  }

  ArchiverStatus status() {
    ArchiverStatus s = archiver.status();
    return pusher == null ? s : s.withOffsiteLag(pusher.lag());
  }

  void start() {
    if (pushThread != null) {
      pushThread.start();
    }
    thread.start();
    compaction =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "archive-compact-" + archiver.dataset());
              t.setDaemon(true);
              return t;
            });
    var unused =
        compaction.scheduleWithFixedDelay(
            this::compactOnce,
            FIRST_COMPACTION.toMillis(),
            COMPACT_EVERY.toMillis(),
            TimeUnit.MILLISECONDS);
    log.info("archiver of {} started", archiver.dataset());
  }

  /** One compaction of the local archive; merged segments go to the pusher. */
  void compactOnce() {
    String name = archiver.dataset();
    DatasetLock lock;
    try {
      lock = context.lock(name);
    } catch (RuntimeException e) {
      log.debug("compaction of {}'s archive skipped this time: {}", name, e.getMessage());
      return;
    }
    ArchiveCompactor.Result result;
    try {
      result = compactor.compact(name, clock.instant(), settle);
    } catch (IOException | RuntimeException e) {
      log.warn("compaction of {}'s archive failed: {}", name, e.getMessage());
      return;
    } finally {
      lock.close();
    }
    if (pusher != null) {
      result.merged().forEach(pusher::submit);
    }
  }

  /** Stops the archiver: what it received is sealed, then the connection is closed. */
  void stop(Duration grace) {
    if (compaction != null) {
      compaction.shutdown(); // a compaction under way finishes: it holds the dataset's lock
      try {
        if (!compaction.awaitTermination(Math.max(1, grace.toMillis()), TimeUnit.MILLISECONDS)) {
          log.warn("compaction of {}'s archive still runs after {}", archiver.dataset(), grace);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    archiver.stop();
    try {
      thread.join(Math.max(1, grace.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("archiver of {} still runs after {}", archiver.dataset(), grace);
    }
    if (pusher != null) {
      pusher.stop(); // what is not off-site yet is pushed after the next start
      try {
        pushThread.join(Math.max(1, grace.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (pushThread.isAlive()) {
        log.warn("off-site push of {}'s archive still runs after {}", archiver.dataset(), grace);
      } else {
        offsite.close();
      }
    }
  }
}
