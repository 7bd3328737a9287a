package io.redisops.error;

/**
 * An error the user can act on. Its message is the one line printed on stderr: it names what was
 * wrong and, where possible, what to do ("unable to read object 'x': reason"). It must never carry
 * a secret.
 */
public class RedisOpsException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ExitCode exitCode;

  public RedisOpsException(ExitCode exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public RedisOpsException(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public ExitCode exitCode() {
    return exitCode;
  }

  public static RedisOpsException usage(String message) {
    return new RedisOpsException(ExitCode.USAGE, message);
  }

  public static RedisOpsException failed(String message) {
    return new RedisOpsException(ExitCode.FAILED, message);
  }

  public static RedisOpsException failed(String message, Throwable cause) {
    return new RedisOpsException(ExitCode.FAILED, message, cause);
  }

  public static RedisOpsException integrity(String message) {
    return new RedisOpsException(ExitCode.INTEGRITY, message);
  }

  public static RedisOpsException notFound(String message) {
    return new RedisOpsException(ExitCode.NOT_FOUND, message);
  }

  public static RedisOpsException refused(String message) {
    return new RedisOpsException(ExitCode.REFUSED, message);
  }
}
