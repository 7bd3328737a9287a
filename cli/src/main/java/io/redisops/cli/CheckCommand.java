package io.redisops.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.error.ExitCode;
import io.redisops.redis.RedisConnector;
import io.redisops.schedules.check.CheckService;
import io.redisops.sentinel.CheckResult;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops check [--method auto|bgsave|replication]}: is the whole setup right? One line
 * per check, PASS, WARN or FAIL with the reason and what to do; exit 1 on any FAIL.
 */
@Command(
    name = "check",
    description = {
      "Check the whole setup: configuration, each dataset's Redis and the commands its capture"
          + " needs, the data directory, the repository and its free space, the off-site store"
          + " (a probe object written, read and deleted), the encryption key, redis-check-aof, the"
          + " sentinels, the daemon's http.listen.",
      "One line per check, PASS, WARN or FAIL with the reason and what to do; exit 1 on any FAIL."
    })
final class CheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--method",
      paramLabel = "METHOD",
      completionCandidates = Converters.MethodValues.class,
      description =
          "The capture method to judge: auto, bgsave or replication (default: each dataset's"
              + " method in the configuration, else auto, as backup and the daemon use it).")
  SnapshotMethod method;

  /** One check in {@code --json}. */
  record CheckLine(String check, String level, String reason) {}

  /** The {@code --json} document. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record CheckJson(String method, List<CheckLine> checks, long pass, long warn, long fail) {}

  /**
   * The {@code method} of the JSON document: the one method judged for every dataset ({@code
   * --method}, or the datasets' own when they share one), {@code per-dataset} when they differ;
   * {@code --method} or auto when no dataset was judged (the configuration is unusable).
   */
  private String judged(CheckService.Report report) {
    List<String> judged =
        report.methods().values().stream().map(SnapshotMethod::id).distinct().toList();
    if (judged.isEmpty()) {
      return (method != null ? method : SnapshotMethod.AUTO).id();
    }
    return judged.size() == 1 ? judged.get(0) : "per-dataset";
  }

  @Override
  public Integer call() {
    CommandContext ctx = new CommandContext(spec);
    CheckService.Report report =
        new CheckService(ctx.clock(), RedisConnector.DEFAULT_TIMEOUT, System.getenv())
            .check(
                ctx::settings,
                ctx.configFile() == null
                    ? "no configuration file (defaults and options)"
                    : "configuration " + ctx.configFile(),
                method);
    List<CheckResult> results = report.results();
    long pass = report.count(CheckResult.Level.PASS);
    long warn = report.count(CheckResult.Level.WARN);
    long fail = report.count(CheckResult.Level.FAIL);
    if (ctx.json()) {
      ctx.printJson(
          new CheckJson(
              judged(report),
              results.stream()
                  .map(r -> new CheckLine(r.name(), r.level().name(), r.reason()))
                  .toList(),
              pass,
              warn,
              fail));
    } else {
      Table t = new Table("RESULT", "CHECK", "REASON");
      results.forEach(r -> t.add(r.level().name(), r.name(), r.reason()));
      t.print(ctx.out());
      ctx.out().printf("%n%d pass, %d warn, %d fail%n", pass, warn, fail);
      ctx.out().flush();
    }
    if (fail > 0) {
      throw new ReportedFailure(
          ExitCode.FAILED,
          fail
              + " check(s) failed: "
              + String.join(", ", report.failed())
              + "; see each reason above");
    }
    return 0;
  }
}
