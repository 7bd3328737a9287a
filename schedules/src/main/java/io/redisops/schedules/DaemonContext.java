package io.redisops.schedules;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;

/** What jobs reach through the scheduler's context: the workers and the daemon's settings. */
record DaemonContext(
    Map<String, DatasetWorker> workers,
    Clock clock,
    Duration retryBackoff,
    boolean pushAfterBackup) {
  static final String KEY = "redis-ops";

  static DaemonContext of(JobExecutionContext context) {
    return lookup(context, KEY, DaemonContext.class);
  }

  /** What the daemon put in the scheduler's context under {@code key}, for a job that runs. */
  static <T> T lookup(JobExecutionContext context, String key, Class<T> type) {
    try {
      return type.cast(context.getScheduler().getContext().get(key));
    } catch (SchedulerException e) {
      throw new IllegalStateException("scheduler context unavailable", e);
    }
  }

  DatasetWorker worker(String dataset) {
    DatasetWorker w = workers.get(dataset);
    if (w == null) {
      throw new IllegalStateException("no worker for dataset " + dataset);
    }
    return w;
  }
}
