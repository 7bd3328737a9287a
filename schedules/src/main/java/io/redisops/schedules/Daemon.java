package io.redisops.schedules;

import io.redisops.backup.catalog.Tier;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.BackupService;
import io.redisops.config.DaemonSettings;
import io.redisops.config.ScheduleSettings;
import io.redisops.config.Settings;
import io.redisops.error.RedisOpsException;
import io.redisops.schedules.observe.DaemonMetrics;
import io.redisops.schedules.observe.HealthEvaluator;
import io.redisops.schedules.observe.Notifier;
import io.redisops.schedules.observe.StatusHttpServer;
import io.redisops.schedules.status.StatusRegistry;
import io.redisops.schedules.status.TierStatus;
import io.redisops.sentinel.DeploymentChecker;
import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.TopologyReader;
import io.redisops.sentinel.TopologyView;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon: Quartz (in-memory job store) with, per dataset, an hourly and a daily backup trigger
 * on one non-concurrent job, a catch-up run at start for tiers whose newest backup is older than
 * their period, retries of failed runs, and a bounded graceful stop. One dataset failing never
 * touches another: each has its own job, worker and lock, and Quartz runs datasets in parallel.
 */
public final class Daemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  private final Settings settings;
  private final BackupContext backupContext;
  private final Clock clock;
  private final StatusRegistry status;
  private final Map<String, DatasetWorker> workers = new LinkedHashMap<>();
  private final java.util.List<FailoverListener> failoverListeners = FailoverEvents.newList();

  /** Sentinel views and their client, opened for Sentinel-monitored datasets, closed at stop. */
  private final java.util.List<AutoCloseable> sentinelResources = new java.util.ArrayList<>();

  /** The deployment checks of Sentinel-monitored datasets, started once the notifier exists. */
  private final java.util.List<SentinelMonitor> monitors = new java.util.ArrayList<>();

  /** The point-in-time archivers ({@code archive.enabled}), one per dataset. */
  private final java.util.List<ArchiveRunner> archivers = new java.util.ArrayList<>();

  /** Checks the archivers every few seconds for the archive_stopped / _recovered notifications. */
  private java.util.concurrent.ScheduledExecutorService archiveWatch;

  private Scheduler scheduler;
  private StatusHttpServer http;
  private volatile Notifier notifier;
  private InetSocketAddress httpAddress;

  /** How often a Sentinel view is read again when no event asks for it. */
  static final Duration SENTINEL_REFRESH = Duration.ofSeconds(5);

  public Daemon(Settings settings, BackupContext backupContext, StatusRegistry status) {
    this.settings = settings;
    this.backupContext = backupContext;
    this.clock = backupContext.clock();
    this.status = status;
  }

  public StatusRegistry status() {
    return status;
  }

  /** Builds the jobs, starts Quartz and queues the catch-up runs. */
  public void start() {
    ScheduleSettings schedule = settings.schedule();
    TimeZone zone = TimeZone.getTimeZone(clock.getZone());
    BackupService service = BackupService.standard(backupContext);
    for (Settings.DatasetSettings ds : settings.datasets()) {
      Map<Tier, TierSchedule> tiers = new EnumMap<>(Tier.class);
      tiers.put(Tier.HOURLY, new TierSchedule(Tier.HOURLY, schedule.hourly(), zone));
      tiers.put(Tier.DAILY, new TierSchedule(Tier.DAILY, schedule.daily(), zone));
      tiers.forEach(
          (t, s) ->
              status.register(TierStatus.initial(ds.name(), t.id(), s.period(clock.instant()))));
      io.redisops.backup.catalog.BackupCatalog catalog = backupContext.catalog(ds.name());
      BackupSightings sightings =
          new BackupSightings(
              ds.name(),
              catalog,
              settings
                  .offsite()
                  .<java.util.function.Supplier<io.redisops.backup.service.Offsite>>map(
                      o -> () -> o.connect(backupContext))
                  .orElse(null));
      workers.put(
          ds.name(),
          new DatasetWorker(
              ds.name(),
              sourceOf(ds),
              service,
              catalog,
              tiers,
              status,
              clock,
              sightings,
              ds.method()));
    }
    DaemonSettings observe = settings.daemon();
    if (observe.archive().enabled()) {
      for (Settings.DatasetSettings ds : settings.datasets()) {
        SentinelClient sentinels = null;
        if (ds.sentinel() != null) {
          sentinels = new SentinelClient();
          sentinelResources.add(sentinels);
        }
        ArchiveRunner runner =
            new ArchiveRunner(
                ds, backupContext, observe.archive(), settings.offsite(), sentinels, clock);
        archivers.add(runner);
        status.registerArchive(ds.name(), runner::status);
      }
    }
    notifier = new Notifier(observe.notifications(), clock, Notifier.localHostName());
    if (notifier.enabled()) {
      status.addListener(notifier);
      Notifier hook = notifier;
      failoverListeners.add(
          (dataset, e) ->
              hook.send(FailoverEvents.notification(dataset, e, Notifier.localHostName())));
    }
    monitors.forEach(SentinelMonitor::start);
    if (observe.listen().isPresent()) {
      // Before the scheduler: a port in use stops the start here, with nothing scheduled.
      http =
          new StatusHttpServer(
              new DaemonMetrics(status).bindRepositoryFilesystem(settings.repositoryPath()),
              new HealthEvaluator(clock, observe.healthGrace()),
              status);
      httpAddress = http.start(observe.listen().get().socketAddress());
      log.info(
          "/metrics and /health on http://{}:{}",
          httpAddress.getHostString(),
          httpAddress.getPort());
    }
    try {
      scheduler = new StdSchedulerFactory(quartzProperties(workers.size())).getScheduler();
      scheduler
          .getContext()
          .put(
              DaemonContext.KEY,
              new DaemonContext(
                  Map.copyOf(workers),
                  clock,
                  schedule.retryBackoff(),
                  settings.offsite().map(o -> o.pushAfterBackup()).orElse(false)));
      if (settings.offsite().isPresent()) {
        scheduler
            .getContext()
            .put(
                OffsiteJob.Context.KEY,
                new OffsiteJob.Context(
                    settings.offsite().get(),
                    backupContext,
                    status,
                    clock,
                    schedule.retryBackoff()));
      }
      if (schedule.drill() != null) {
        Map<String, io.redisops.redis.RedisEndpoint> sources = new java.util.HashMap<>();
        settings.datasets().forEach(ds -> sources.put(ds.name(), ds.endpoint()));
        scheduler
            .getContext()
            .put(
                DrillJob.Context.KEY,
                new DrillJob.Context(
                    backupContext,
                    settings.offsite(),
                    io.redisops.recovery.drill.DrillService.Options.defaults(
                        settings.drillServer().orElse(null)),
                    Map.copyOf(sources),
                    status,
                    notifier,
                    clock));
      }
      for (DatasetWorker w : workers.values()) {
        schedule(w);
        if (settings.offsite().isPresent()) {
          scheduleOffsite(w.dataset(), schedule.offsite());
        }
        if (schedule.drill() != null) {
          scheduleDrill(w.dataset(), schedule.drill());
        }
      }
      if (settings.offsite().isPresent()) {
        // A new archive base goes off-site at once (the off-site job: PushService, retried on
        // failure), not at the next push schedule: until it is there, the off-site archive holds
        // segments that nothing off-site continues.
        Scheduler jobs = scheduler;
        for (ArchiveRunner a : archivers) {
          a.onBaseStored(() -> pushNow(jobs, a.dataset()));
        }
      }
      scheduler.start();
      archivers.forEach(ArchiveRunner::start);
      if (!archivers.isEmpty() && notifier.enabled()) {
        Notifier hook = notifier;
        ArchiveWatch watch =
            new ArchiveWatch(status::archives, clock, hook::send, Notifier.localHostName());
        archiveWatch =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "archive-watch");
                  t.setDaemon(true);
                  return t;
                });
        var unused =
            archiveWatch.scheduleWithFixedDelay(
                watch::check, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (SchedulerException e) {
      throw RedisOpsException.failed("unable to start the scheduler: " + e.getMessage(), e);
    }
    log.info(
        "daemon started: {} dataset(s) {}, hourly '{}', daily '{}', repository {}",
        workers.size(),
        workers.keySet(),
        schedule.hourly(),
        schedule.daily(),
        backupContext.repository().describe());
  }

  /**
   * Hears the failover events of Sentinel-monitored datasets (the notification hook); add before
   * {@link #start()}.
   */
  public void addFailoverListener(FailoverListener l) {
    failoverListeners.add(l);
  }

  /**
   * A plain dataset backs up its configured Redis; a Sentinel-monitored one follows the sentinels'
   * view.
   */
  private SourceResolver sourceOf(Settings.DatasetSettings ds) {
    if (ds.sentinel() == null) {
      return SourceResolver.fixed(ds.endpoint());
    }
    SentinelClient client = new SentinelClient();
    sentinelResources.add(client);
    TopologyView view = new TopologyView(client, ds.sentinel(), clock, SENTINEL_REFRESH);
    sentinelResources.add(0, view);
    view.addEventListener(new FailoverEvents(ds.name(), clock, failoverListeners)::onEvent);
    SentinelMonitor monitor =
        new SentinelMonitor(
            ds.name(),
            new DeploymentChecker(client, new TopologyReader(client, ds.sentinel(), clock)),
            status,
            clock,
            ds.checkInterval(),
            e -> {
              Notifier n = notifier;
              if (n != null && n.enabled()) {
                n.send(e);
              }
            },
            Notifier.localHostName());
    monitors.add(monitor);
    sentinelResources.add(0, monitor);
    view.addListener(t -> monitor.checkSoon());
    view.start();
    return new SentinelSourceResolver(
        ds.name(), view, client, ds.endpoint(), ds.backupFrom(), status);
  }

  private void schedule(DatasetWorker w) throws SchedulerException {
    JobDetail job =
        JobBuilder.newJob(BackupJob.class)
            .withIdentity(JobKey.jobKey("backup", w.dataset()))
            .usingJobData(BackupJob.DATASET, w.dataset())
            .storeDurably()
            .build();
    scheduler.addJob(job, false);
    for (TierSchedule s : w.schedules().values()) {
      Trigger t =
          TriggerBuilder.newTrigger()
              .withIdentity(s.tier().id(), w.dataset())
              .forJob(job)
              .usingJobData(BackupJob.KIND, BackupJob.SCHEDULED)
              .usingJobData(BackupJob.TIER, s.tier().id())
              .withSchedule(
                  CronScheduleBuilder.cronSchedule(s.cron())
                      .inTimeZone(TimeZone.getTimeZone(clock.getZone()))
                      .withMisfireHandlingInstructionFireAndProceed())
              .build();
      scheduler.scheduleJob(t);
    }
    Set<Tier> missed;
    try {
      missed = w.missedTiers();
    } catch (RedisOpsException e) {
      log.warn("{}: unable to check for missed backups: {}", w.dataset(), e.getMessage());
      return;
    }
    if (!missed.isEmpty()) {
      log.info(
          "{}: newest {} backup older than its period: catching up with one backup now",
          w.dataset(),
          BackupJob.joinTiers(missed));
      scheduler.scheduleJob(
          TriggerBuilder.newTrigger()
              .withIdentity("catch-up", w.dataset())
              .forJob(job)
              .usingJobData(BackupJob.KIND, BackupJob.CATCH_UP)
              .usingJobData(BackupJob.TIERS, BackupJob.joinTiers(missed))
              .startNow()
              .build());
    }
  }

  /**
   * The dataset's off-site job: on its schedule, and once now (copies missed while the daemon or S3
   * was down).
   */
  private void scheduleOffsite(String dataset, String cron) throws SchedulerException {
    status.register(
        TierStatus.initial(
            dataset,
            OffsiteJob.TIER,
            new TierSchedule(Tier.DAILY, cron, TimeZone.getTimeZone(clock.getZone()))
                .period(clock.instant())));
    JobDetail job =
        JobBuilder.newJob(OffsiteJob.class)
            .withIdentity(offsiteJobKey(dataset))
            .usingJobData(BackupJob.DATASET, dataset)
            .storeDurably()
            .build();
    scheduler.addJob(job, false);
    scheduler.scheduleJob(
        TriggerBuilder.newTrigger()
            .withIdentity("offsite", dataset)
            .forJob(job)
            .withSchedule(
                CronScheduleBuilder.cronSchedule(cron)
                    .inTimeZone(TimeZone.getTimeZone(clock.getZone()))
                    .withMisfireHandlingInstructionFireAndProceed())
            .build());
    scheduler.scheduleJob(
        TriggerBuilder.newTrigger()
            .withIdentity("offsite-catch-up", dataset)
            .forJob(job)
            .startAt(java.util.Date.from(clock.instant().plusSeconds(1)))
            .build());
  }

  /**
   * The dataset's restore drills on {@code schedule.drill}; the newest passing drill recorded in
   * the local repository is the last success known at start.
   */
  private void scheduleDrill(String dataset, String cron) throws SchedulerException {
    java.time.Instant known = null;
    try {
      known =
          new io.redisops.backup.catalog.DrillLog(backupContext.catalog(dataset))
              .all().values().stream()
                  .filter(io.redisops.backup.catalog.DrillRecord::passed)
                  .map(io.redisops.backup.catalog.DrillRecord::finishedAt)
                  .filter(java.util.Objects::nonNull)
                  .max(java.util.Comparator.naturalOrder())
                  .orElse(null);
    } catch (java.io.IOException | RuntimeException e) {
      log.warn("{}: unable to read the recorded drills: {}", dataset, e.getMessage());
    }
    status.registerDrills(io.redisops.schedules.status.DrillStatus.initial(dataset, known));
    JobDetail job =
        JobBuilder.newJob(DrillJob.class)
            .withIdentity(JobKey.jobKey("drill", dataset))
            .usingJobData(BackupJob.DATASET, dataset)
            .storeDurably()
            .build();
    scheduler.addJob(job, false);
    scheduler.scheduleJob(
        TriggerBuilder.newTrigger()
            .withIdentity("drill", dataset)
            .forJob(job)
            .withSchedule(
                CronScheduleBuilder.cronSchedule(cron)
                    .inTimeZone(TimeZone.getTimeZone(clock.getZone()))
                    .withMisfireHandlingInstructionDoNothing())
            .build());
  }

  /** Fires the dataset's off-site job now (it never runs twice at once: it waits its turn). */
  private static void pushNow(Scheduler jobs, String dataset) {
    try {
      jobs.triggerJob(offsiteJobKey(dataset));
    } catch (SchedulerException e) {
      log.warn(
          "{}: unable to start the off-site push of the archive's base: {}",
          dataset,
          e.getMessage());
    }
  }

  static JobKey offsiteJobKey(String dataset) {
    return JobKey.jobKey("offsite", dataset);
  }

  private static Properties quartzProperties(int datasets) {
    Properties p = new Properties();
    p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, "redis-ops");
    p.setProperty(
        "org.quartz.threadPool.threadCount", Integer.toString(Math.max(2, 3 * datasets + 1)));
    p.setProperty("org.quartz.threadPool.threadNamePrefix", "redis-ops-job");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    // A trigger blocked behind its dataset's running capture still fires with its own scheduled
    // time.
    p.setProperty(
        "org.quartz.jobStore.misfireThreshold", Long.toString(Duration.ofMinutes(30).toMillis()));
    return p;
  }

  /**
   * Stops: no new runs; a running capture gets {@code grace} to finish, then is abandoned (its
   * half-written object is dropped, nothing partial is listed); returns when every job has ended.
   */
  public void stop(Duration grace) {
    // The archivers first: each seals what it received, then lets go of its master.
    if (archiveWatch != null) {
      archiveWatch.shutdownNow();
      archiveWatch = null;
    }
    archivers.forEach(a -> a.stop(grace));
    archivers.clear();
    if (scheduler == null) {
      closeSentinels();
      closeObservers();
      return;
    }
    try {
      scheduler.standby();
      Instant deadline = clock.instant().plus(grace);
      while (anyRunning() && clock.instant().isBefore(deadline)) {
        Thread.sleep(100);
      }
      if (anyRunning()) {
        log.warn("a capture still runs after {}: abandoning it", grace);
      }
      workers.values().forEach(DatasetWorker::abort);
      scheduler.shutdown(false);
      // An abandoned capture fails within moments (its connection and stream are closed); bound the
      // wait anyway.
      Instant hardDeadline = clock.instant().plusSeconds(10);
      while (anyRunning() && clock.instant().isBefore(hardDeadline)) {
        Thread.sleep(50);
      }
      log.info("daemon stopped");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (SchedulerException e) {
      log.warn("scheduler did not stop cleanly: {}", e.getMessage());
    } finally {
      scheduler = null;
      closeSentinels();
      closeObservers();
    }
  }

  private void closeSentinels() {
    for (AutoCloseable c : sentinelResources) {
      try {
        c.close();
      } catch (Exception e) {
        log.debug("closing a sentinel view: {}", e.toString());
      }
    }
    sentinelResources.clear();
  }

  private void closeObservers() {
    if (http != null) {
      http.stop();
      http = null;
    }
    if (notifier != null) {
      notifier.close(); // lets a last notification (e.g. of an abandoned run) go out, within its
      // timeout
      notifier = null;
    }
  }

  /** Where /metrics and /health are served, if they are. */
  public java.util.Optional<InetSocketAddress> httpAddress() {
    return java.util.Optional.ofNullable(httpAddress);
  }

  private boolean anyRunning() {
    return workers.values().stream().anyMatch(DatasetWorker::isRunning);
  }

  @Override
  public void close() {
    stop(settings.schedule().stopGrace());
  }

  /** Tiers of a dataset, for tests and status. */
  public DatasetWorker worker(String dataset) {
    return workers.get(dataset);
  }

  Map<String, DatasetWorker> workers() {
    return workers;
  }
}
