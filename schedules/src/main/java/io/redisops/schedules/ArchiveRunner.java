package io.redisops.schedules;

import io.redisops.backup.archive.ArchivePusher;
import io.redisops.backup.archive.ArchiveStore;
import io.redisops.backup.archive.Archiver;
import io.redisops.backup.archive.ArchiverStatus;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.BackupService;
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
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
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
 */
final class ArchiveRunner {
  private static final Logger log = LoggerFactory.getLogger(ArchiveRunner.class);
  private static final Duration LOCK_WAIT = Duration.ofMinutes(2);

  private final Archiver archiver;
  private final Thread thread;
  private final Offsite offsite;
  private final ArchivePusher pusher;
  private final Thread pushThread;

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
    log.info("archiver of {} started", archiver.dataset());
  }

  /** Stops the archiver: what it received is sealed, then the connection is closed. */
  void stop(Duration grace) {
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
