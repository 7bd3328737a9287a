package io.redisops.cli;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;

/**
 * A command's outcome that is not a success although its result was printed (under {@code --json}
 * as its one document): {@code import} with refused files, {@code sentinel check} with a failed
 * check, {@code verify} of a damaged backup, {@code push} refusing a local backup, {@code aof
 * check} of a damaged AOF. {@link Cli}'s handler gives it the one stderr line and the exit code,
 * like any other error, but no second JSON document.
 */
final class ReportedFailure extends RedisOpsException {
  private static final long serialVersionUID = 1L;

  ReportedFailure(ExitCode exitCode, String message) {
    super(exitCode, message);
  }
}
