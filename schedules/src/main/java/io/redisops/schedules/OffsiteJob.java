package io.redisops.schedules;

import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.Offsite;
import io.redisops.backup.service.PushResult;
import io.redisops.backup.service.PushService;
import io.redisops.config.OffsiteSettings;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.LoggingProgress;
import io.redisops.schedules.status.StatusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;
import org.quartz.TriggerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The off-site job of one dataset: copies every local backup missing off-site ({@link PushService}:
 * idempotent, verified, manifest last, then off-site retention). Runs on {@code schedule.offsite},
 * once at start (catch-up after downtime or an outage), after each backup when {@code
 * offsite.push-after-backup} is set, and again with a doubling delay after a failure until it
 * succeeds: an S3 outage only delays copies, nothing is skipped.
 */
@DisallowConcurrentExecution
public final class OffsiteJob implements Job {
  private static final Logger log = LoggerFactory.getLogger(OffsiteJob.class);
  static final String TIER = "offsite";
  static final String ATTEMPT = "attempt";

  /** What the off-site jobs reach through the scheduler context. */
  record Context(
      OffsiteSettings settings,
      BackupContext local,
      StatusRegistry status,
      Clock clock,
      Duration backoff) {
    static final String KEY = "redis-ops-offsite";
  }

  @Override
  public void execute(JobExecutionContext job) {
    Context c = DaemonContext.lookup(job, Context.KEY, Context.class);
    String dataset = job.getJobDetail().getJobDataMap().getString(BackupJob.DATASET);
    Instant started = c.clock().instant();
    try (Offsite offsite = c.settings().connect(c.local())) {
      PushResult r =
          new PushService(c.local(), offsite)
              .push(dataset, false, new LoggingProgress(c.clock(), Duration.ofSeconds(10)));
      Instant done = c.clock().instant();
      if (!r.ok()) {
        // A local backup that fails its checksum is never copied; retrying would not help, so it is
        // reported.
        String why =
            r.refused().size()
                + " local backup(s) not copied, their checksum fails: "
                + String.join(
                    "; ", r.refused().stream().map(x -> x.id() + " (" + x.reason() + ")").toList());
        c.status().update(dataset, TIER, st -> st.failed(done, why));
        log.warn("{}: off-site push: {}", dataset, why);
        return;
      }
      long bytes = r.pushed().stream().mapToLong(PushResult.Pushed::bytes).sum();
      // "Last success" of a push is its start: every backup completed before that moment is
      // off-site now.
      c.status()
          .update(
              dataset,
              TIER,
              st -> st.succeeded(done, started, Duration.between(started, done), bytes));
      log.info(
          "{}: off-site push done: {} copied, {} already off-site",
          dataset,
          r.pushed().size(),
          r.alreadyOffsite().size());
    } catch (RuntimeException e) {
      String cause =
          e instanceof RedisOpsException
              ? e.getMessage()
              : e.getClass().getSimpleName() + ": " + e.getMessage();
      Instant at = c.clock().instant();
      c.status().update(dataset, TIER, st -> st.failed(at, cause));
      JobDataMap data = job.getTrigger().getJobDataMap();
      int attempt = (data.containsKey(ATTEMPT) ? data.getInt(ATTEMPT) : 0) + 1;
      Duration delay = c.backoff().multipliedBy(1L << Math.min(attempt - 1, 10));
      Duration cap = Duration.ofHours(1);
      if (delay.compareTo(cap) > 0) {
        delay = cap;
      }
      log.warn("{}: off-site push failed: {}; retry {} in {}", dataset, cause, attempt, delay);
      try {
        job.getScheduler()
            .scheduleJob(
                TriggerBuilder.newTrigger()
                    .forJob(job.getJobDetail())
                    .usingJobData(new JobDataMap(Map.of(ATTEMPT, attempt)))
                    .startAt(Date.from(at.plus(delay)))
                    .build());
      } catch (SchedulerException se) {
        log.warn("{}: unable to schedule the push retry: {}", dataset, se.getMessage());
      }
    }
  }
}
