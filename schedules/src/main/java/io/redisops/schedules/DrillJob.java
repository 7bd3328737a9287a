package io.redisops.schedules;

import io.redisops.backup.catalog.DrillRecord;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.Offsite;
import io.redisops.config.OffsiteSettings;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.LoggingProgress;
import io.redisops.recovery.drill.DrillService;
import io.redisops.redis.RedisEndpoint;
import io.redisops.schedules.observe.NotificationEvent;
import io.redisops.schedules.observe.Notifier;
import io.redisops.schedules.status.StatusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restore drills of one dataset, on {@code schedule.drill}: the newest daily backup of the
 * local repository, then, with off-site copies configured, the newest off-site backup ({@link
 * DrillService}). Each outcome goes to the {@link StatusRegistry} (/metrics, /health); a failed
 * drill, or one that could not run, sends {@code drill_failed}.
 */
@DisallowConcurrentExecution
public final class DrillJob implements Job {
  private static final Logger log = LoggerFactory.getLogger(DrillJob.class);
  static final String EVENT_FAILED = "drill_failed";

  /** What the drill jobs reach through the scheduler context. */
  record Context(
      BackupContext local,
      Optional<OffsiteSettings> offsite,
      DrillService.Options options,
      Map<String, RedisEndpoint> sources,
      StatusRegistry status,
      Notifier notifier,
      Clock clock) {
    static final String KEY = "redis-ops-drill";
  }

  @Override
  public void execute(JobExecutionContext job) {
    Context c;
    try {
      c = (Context) job.getScheduler().getContext().get(Context.KEY);
    } catch (SchedulerException e) {
      throw new IllegalStateException("scheduler context unavailable", e);
    }
    String dataset = job.getJobDetail().getJobDataMap().getString(BackupJob.DATASET);
    run(c, dataset);
  }

  /** Both drills of one dataset (also called directly by tests of the daemon's wiring). */
  static void run(Context c, String dataset) {
    drill(c, dataset, false);
    if (c.offsite().isPresent()) {
      drill(c, dataset, true);
    }
  }

  private static void drill(Context c, String dataset, boolean remote) {
    String from = remote ? DrillRecord.FROM_OFFSITE : DrillRecord.FROM_LOCAL;
    LoggingProgress progress = new LoggingProgress(c.clock(), Duration.ofSeconds(10));
    try (Offsite offsite = remote ? c.offsite().get().connect(c.local()) : null) {
      DrillService.Outcome o =
          new DrillService(c.local(), offsite, c.options(), c.clock())
              .drill(
                  new DrillService.Request(
                      dataset, null, remote ? null : Tier.DAILY, remote, c.sources().get(dataset)),
                  progress);
      DrillRecord r = o.record();
      if (r.passed()) {
        c.status().updateDrill(dataset, st -> st.passed(r.finishedAt(), r.backupId()));
        log.info(
            "{}: drill of {} backup {} passed: {} keys loaded in {} s",
            dataset,
            from,
            r.backupId(),
            r.totalKeys(),
            r.loadSeconds());
      } else {
        failed(c, dataset, from, r.backupId(), r.finishedAt(), r.reason());
      }
    } catch (RedisOpsException e) {
      if (e.exitCode() == io.redisops.error.ExitCode.NOT_FOUND) {
        // nothing to drill yet (a new dataset): not a failure of any backup
        log.info("{}: no {} drill: {}", dataset, from, e.getMessage());
        return;
      }
      failed(
          c,
          dataset,
          from,
          null,
          c.clock().instant(),
          "the drill could not run: " + e.getMessage());
    } catch (java.io.IOException | RuntimeException e) {
      failed(
          c,
          dataset,
          from,
          null,
          c.clock().instant(),
          "the drill could not run: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private static void failed(
      Context c, String dataset, String from, String backupId, Instant at, String why) {
    c.status().updateDrill(dataset, st -> st.failed(at, backupId, why));
    log.warn("{}: drill of the {} backup {} FAILED: {}", dataset, from, backupId, why);
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("dataset", dataset);
    f.put("from", from);
    f.put("backup_id", backupId);
    f.put("error", why);
    c.notifier().send(NotificationEvent.of(EVENT_FAILED, at, Notifier.localHostName(), f));
  }
}
