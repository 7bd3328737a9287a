package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class LogLineLayoutTest {
  private final LoggerContext context = new LoggerContext();

  private String line(Level level, String message, Throwable thrown, Object... args) {
    LogLineLayout layout = new LogLineLayout();
    layout.setContext(context);
    layout.start();
    LoggingEvent event =
        new LoggingEvent(
            "x",
            context.getLogger("io.redisops.backup.service.BackupService"),
            level,
            message,
            thrown,
            args);
    event.setTimeStamp(0);
    return layout.doLayout(event);
  }

  @Test
  void timeLevelPaddedToFiveSimpleLoggerNameAndTheFormattedMessage() {
    String line = line(Level.INFO, "stored {} of {}", null, "b1", "cache");

    assertThat(line)
        .matches(
            "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.000 INFO  BackupService: stored b1 of cache\\R");
  }

  @Test
  void aThrowableIsWrittenAfterTheLine() {
    String line = line(Level.WARN, "failed", new IOException("disk full"));

    assertThat(line).contains(" WARN  BackupService: failed");
    assertThat(line).contains("java.io.IOException: disk full").contains("at io.redisops.cli");
  }
}
