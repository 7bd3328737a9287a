package io.redisops.schedules;

import io.redisops.backup.catalog.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backup job of one dataset. One JobDetail per dataset carries every trigger of it (hourly,
 * daily, catch-up, retries), and Quartz never runs it twice at once: no overlap. The job only reads
 * its trigger and calls the dataset's {@link DatasetWorker}; on failure, when another operation
 * held the dataset's lock, or when another host's daemon took the run and its backup is not seen
 * yet, it schedules a retry with a doubling delay while that still comes before the tier's next
 * regular run.
 */
@DisallowConcurrentExecution
public final class BackupJob implements Job {
  private static final Logger log = LoggerFactory.getLogger(BackupJob.class);

  static final String DATASET = "dataset";
  static final String KIND = "kind";
  static final String TIER = "tier";
  static final String TIERS = "tiers";
  static final String COVERS = "covers";
  static final String ATTEMPT = "attempt";

  static final String SCHEDULED = "scheduled";
  static final String CATCH_UP = "catch-up";
  static final String RETRY = "retry";

  @Override
  public void execute(JobExecutionContext context) {
    DaemonContext daemon = DaemonContext.of(context);
    String dataset = context.getJobDetail().getJobDataMap().getString(DATASET);
    DatasetWorker worker = daemon.worker(dataset);
    JobDataMap data = context.getTrigger().getJobDataMap();
    String kind = data.getString(KIND);
    Instant fireTime = context.getScheduledFireTime().toInstant();
    Set<Tier> tiers;
    Instant covers;
    DatasetWorker.Outcome outcome;
    if (SCHEDULED.equals(kind)) {
      Tier tier = Tier.parse(data.getString(TIER));
      tiers = EnumSet.of(tier);
      covers = fireTime;
      outcome = worker.runScheduled(tier, fireTime);
    } else {
      tiers = parseTiers(data.getString(TIERS));
      covers = data.containsKey(COVERS) ? Instant.ofEpochMilli(data.getLong(COVERS)) : null;
      outcome = worker.runNow(tiers, covers, kind);
    }
    if (outcome == DatasetWorker.Outcome.DONE && daemon.pushAfterBackup()) {
      try {
        context.getScheduler().triggerJob(Daemon.offsiteJobKey(dataset));
      } catch (SchedulerException e) {
        log.warn(
            "{}: unable to start the off-site push after the backup: {}", dataset, e.getMessage());
      }
    }
    if (outcome == DatasetWorker.Outcome.FAILED
        || outcome == DatasetWorker.Outcome.BUSY
        || outcome == DatasetWorker.Outcome.AWAITING_OTHER_HOST) {
      int attempt = data.containsKey(ATTEMPT) ? data.getInt(ATTEMPT) : 0;
      scheduleRetry(context, daemon, worker, tiers, covers, attempt + 1);
    }
  }

  private static void scheduleRetry(
      JobExecutionContext context,
      DaemonContext daemon,
      DatasetWorker worker,
      Set<Tier> tiers,
      Instant covers,
      int attempt) {
    Instant now = daemon.clock().instant();
    Duration delay = daemon.retryBackoff().multipliedBy(1L << Math.min(attempt - 1, 20));
    Instant at = now.plus(delay);
    Instant nextRegular =
        tiers.stream()
            .map(t -> worker.schedules().get(t))
            .filter(java.util.Objects::nonNull)
            .map(s -> s.nextAfter(now))
            .min(Instant::compareTo)
            .orElse(Instant.MAX);
    if (!at.isBefore(nextRegular)) {
      log.warn(
          "{}: no retry of the backup before the next scheduled run at {}",
          worker.dataset(),
          nextRegular);
      return;
    }
    JobDataMap data =
        new JobDataMap(Map.of(KIND, RETRY, TIERS, joinTiers(tiers), ATTEMPT, attempt));
    if (covers != null) {
      data.put(COVERS, covers.toEpochMilli());
    }
    Trigger retry =
        TriggerBuilder.newTrigger()
            .forJob(context.getJobDetail())
            .usingJobData(data)
            .startAt(java.util.Date.from(at))
            .build();
    try {
      context.getScheduler().scheduleJob(retry);
      log.info("{}: retry {} of the backup at {} (in {})", worker.dataset(), attempt, at, delay);
    } catch (SchedulerException e) {
      log.warn("{}: unable to schedule a retry: {}", worker.dataset(), e.getMessage());
    }
  }

  static String joinTiers(Set<Tier> tiers) {
    return tiers.stream().map(Tier::id).sorted().collect(Collectors.joining(","));
  }

  static Set<Tier> parseTiers(String text) {
    Set<Tier> out = EnumSet.noneOf(Tier.class);
    Arrays.stream(text.split(",")).filter(s -> !s.isBlank()).map(Tier::parse).forEach(out::add);
    return out;
  }
}
