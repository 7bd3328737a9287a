package io.redisops.error;

/**
 * The documented exit codes of {@code redis-ops} (docs/commands.md, "Exit codes"). Scripts rely on
 * them.
 */
public enum ExitCode {
  /** Done. */
  OK(0),
  /** The operation failed (Redis unreachable, I/O error, ...). */
  FAILED(1),
  /** Bad usage, input or configuration. */
  USAGE(2),
  /** Integrity problem: checksum, CRC, corrupt file refused. */
  INTEGRITY(3),
  /** Nothing matched: unknown id, no backup at or before a time. */
  NOT_FOUND(4),
  /** Refused for safety: lock held, target busy, too much loss. */
  REFUSED(5);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
