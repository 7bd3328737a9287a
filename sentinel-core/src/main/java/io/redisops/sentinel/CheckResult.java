package io.redisops.sentinel;

/**
 * One deployment check's outcome.
 *
 * @param name short stable name (e.g. {@code ckquorum}, {@code persistence})
 * @param level PASS, WARN or FAIL
 * @param reason one line saying why, and for WARN/FAIL what goes wrong in a failure
 */
public record CheckResult(String name, Level level, String reason) {
  public enum Level {
    PASS,
    WARN,
    FAIL
  }

  public static CheckResult pass(String name, String reason) {
    return new CheckResult(name, Level.PASS, reason);
  }

  public static CheckResult warn(String name, String reason) {
    return new CheckResult(name, Level.WARN, reason);
  }

  public static CheckResult fail(String name, String reason) {
    return new CheckResult(name, Level.FAIL, reason);
  }
}
