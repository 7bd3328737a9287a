package io.redisops.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.error.ExitCode;
import io.redisops.sentinel.CheckResult;
import io.redisops.sentinel.DeploymentChecker;
import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.TopologyReader;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops sentinel check}: the deployment checks, PASS / WARN / FAIL each; exit 1 when any
 * FAIL.
 */
@Command(
    name = "check",
    description =
        "Check the Sentinel deployment: each check PASS, WARN or FAIL with its reason; exit 1 on any FAIL.")
final class SentinelCheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ParentCommand SentinelCommand parent;

  /** One check in {@code --json}. */
  record CheckLine(String check, String level, String reason) {}

  /** The {@code --json} document. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record CheckJson(
      String masterName, String master, List<CheckLine> checks, long pass, long warn, long fail) {}

  @Override
  public Integer call() {
    CommandContext ctx = new CommandContext(spec);
    DeploymentChecker.Report report;
    try (SentinelClient client = new SentinelClient()) {
      TopologyReader reader = new TopologyReader(client, parent.target(ctx, client), ctx.clock());
      report = new DeploymentChecker(client, reader).check();
    }
    List<CheckResult> results = report.results();
    long fails = count(results, CheckResult.Level.FAIL);
    long warns = count(results, CheckResult.Level.WARN);
    if (ctx.json()) {
      ctx.printJson(
          new CheckJson(
              report.topology().masterName(),
              report.topology().master().address(),
              results.stream()
                  .map(r -> new CheckLine(r.name(), r.level().name(), r.reason()))
                  .toList(),
              count(results, CheckResult.Level.PASS),
              warns,
              fails));
    } else {
      PrintWriter out = ctx.out();
      Table t = new Table("RESULT", "CHECK", "REASON");
      results.forEach(r -> t.add(r.level().name(), r.name(), r.reason()));
      t.print(out);
      out.printf(
          "%nmaster %s at %s: %d pass, %d warn, %d fail%n",
          report.topology().masterName(),
          report.topology().master().address(),
          count(results, CheckResult.Level.PASS),
          warns,
          fails);
      out.flush();
    }
    if (fails > 0) {
      throw new ReportedFailure(
          ExitCode.FAILED,
          fails
              + " check(s) failed: "
              + String.join(
                  ", ",
                  results.stream()
                      .filter(r -> r.level() == CheckResult.Level.FAIL)
                      .map(CheckResult::name)
                      .toList())
              + "; see each reason above");
    }
    return 0;
  }

  private static long count(List<CheckResult> results, CheckResult.Level level) {
    return results.stream().filter(r -> r.level() == level).count();
  }
}
