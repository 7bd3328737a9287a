package io.redisops.progress;

import io.redisops.text.Sizes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a progress line at most every few seconds, so a long capture shows in the daemon's log that
 * it moves.
 */
public final class LoggingProgress implements ProgressListener {
  private static final Logger log = LoggerFactory.getLogger(LoggingProgress.class);
  private final Clock clock;
  private final Duration every;
  private String task = "";
  private long total;
  private long done;
  private Instant started;
  private Instant lastLog = Instant.MIN;
  private String statusTask;
  private String lastStatus;

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
    if (statusTask != null) {
      log.info("{}: finished ({})", statusTask, lastStatus);
      statusTask = null;
      return;
    }
    log.info("{}: finished, {}", task, line(clock.instant()));
  }

  /**
   * The first status of a phase, then one line every few seconds: a long server-side wait shows
   * that it moves.
   */
  @Override
  public void status(String task, String detail, double percent) {
    Instant now = clock.instant();
    String text = (percent >= 0 ? Sizes.percent(percent) + ", " : "") + detail;
    if (!task.equals(statusTask) || Duration.between(lastLog, now).compareTo(every) >= 0) {
      lastLog = now;
      log.info("{}: {}", task, text);
    }
    statusTask = task;
    lastStatus = text;
  }

  private String line(Instant now) {
    String rate = Sizes.rate(done, Duration.between(started, now));
    if (total > 0) {
      return String.format(
          "%s of %s (%d%%), %s", Sizes.human(done), Sizes.human(total), done * 100 / total, rate);
    }
    return Sizes.human(done) + ", " + rate;
  }
}
