package io.redisops.backup.progress;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs a progress line at most every few seconds, so a long capture shows in the daemon's log that it moves. */
public final class LoggingProgress implements ProgressListener {
  private static final Logger log = LoggerFactory.getLogger(LoggingProgress.class);
  private final Clock clock;
  private final Duration every;
  private String task = "";
  private long total;
  private long done;
  private Instant started;
  private Instant lastLog;

  public LoggingProgress(Clock clock, Duration every) {
    this.clock = clock;
    this.every = every;
  }

  @Override
  public void begin(String task, long totalBytes) {
    this.task = task;
    this.total = totalBytes;
    this.done = 0;
    this.started = clock.instant();
    this.lastLog = started;
    log.info("{}: started{}", task, totalBytes >= 0 ? " (" + Sizes.human(totalBytes) + ")" : "");
  }

  @Override
  public void advance(long bytes) {
    done += bytes;
    Instant now = clock.instant();
    if (Duration.between(lastLog, now).compareTo(every) >= 0) {
      lastLog = now;
      log.info("{}: {}", task, line(now));
    }
  }

  @Override
  public void end() {
    log.info("{}: finished, {}", task, line(clock.instant()));
  }

  private String line(Instant now) {
    double secs = Math.max(0.001, Duration.between(started, now).toMillis() / 1000.0);
    String rate = Sizes.human((long) (done / secs)) + "/s";
    if (total > 0) {
      return String.format("%s of %s (%d%%), %s", Sizes.human(done), Sizes.human(total), done * 100 / total, rate);
    }
    return Sizes.human(done) + ", " + rate;
  }
}
