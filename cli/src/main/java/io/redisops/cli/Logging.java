package io.redisops.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/**
 * Log levels: a CLI command keeps stderr for its one-line errors and progress (WARN), {@code -v}
 * shows progress logs (INFO), {@code -vv} everything (DEBUG). The daemon logs at INFO.
 */
final class Logging {
  private Logging() {}

  static void configure(int verbosity, boolean daemon) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    Level own = verbosity >= 2 ? Level.DEBUG : verbosity == 1 || daemon ? Level.INFO : Level.WARN;
    ctx.getLogger("io.redisops").setLevel(own);
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(verbosity >= 2 ? Level.INFO : Level.WARN);
    // Lettuce and Netty report connection trouble that we already turn into one clear error line.
    Level libs = verbosity >= 2 ? Level.DEBUG : Level.OFF;
    ctx.getLogger("io.lettuce").setLevel(libs);
    ctx.getLogger("io.netty").setLevel(libs);
    ctx.getLogger("reactor").setLevel(libs);
  }
}
