package io.redisops.schedules.check;

import io.redisops.sentinel.CheckResult;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code redis-check-aof}: {@code aof check}, {@code aof repair} and {@code aof undo-flushall} run
 * it from {@code PATH}.
 */
final class CheckAofToolCheck implements SetupCheck {
  static final String TOOL = "redis-check-aof";

  private final Map<String, String> env;

  CheckAofToolCheck(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public List<CheckResult> run(CheckTarget t) {
    String path = env.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, TOOL);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return List.of(
            CheckResult.pass(TOOL, candidate + " (for aof check, repair, undo-flushall)"));
      }
    }
    return List.of(
        CheckResult.fail(
            TOOL,
            TOOL
                + " is not in PATH, so 'aof check', 'aof repair' and 'aof undo-flushall' cannot"
                + " run; install redis-tools (Debian) or put the server's own "
                + TOOL
                + " in PATH"));
  }
}
