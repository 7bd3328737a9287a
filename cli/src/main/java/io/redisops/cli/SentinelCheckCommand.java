package io.redisops.cli;

import io.redisops.sentinel.CheckResult;
import io.redisops.sentinel.DeploymentChecker;
import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.TopologyReader;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code redis-ops sentinel check}: the deployment checks, PASS / WARN / FAIL each; exit 1 when any FAIL. */
@Command(name = "check", description = "Check the Sentinel deployment: each check PASS, WARN or FAIL with its reason; exit 1 on any FAIL.")
final class SentinelCheckCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @ParentCommand
  SentinelCommand parent;

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
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("master_name", report.topology().masterName());
      m.put("master", report.topology().master().address());
      m.put("checks", results.stream().map(r -> {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("check", r.name());
        x.put("level", r.level().name());
        x.put("reason", r.reason());
        return x;
      }).toList());
      m.put("pass", count(results, CheckResult.Level.PASS));
      m.put("warn", warns);
      m.put("fail", fails);
      ctx.printJson(m);
    } else {
      PrintWriter out = ctx.out();
      Table t = new Table("RESULT", "CHECK", "REASON");
      results.forEach(r -> t.add(r.level().name(), r.name(), r.reason()));
      t.print(out);
      out.printf("%nmaster %s at %s: %d pass, %d warn, %d fail%n", report.topology().masterName(),
          report.topology().master().address(), count(results, CheckResult.Level.PASS), warns, fails);
      out.flush();
    }
    return fails > 0 ? 1 : 0;
  }

  private static long count(List<CheckResult> results, CheckResult.Level level) {
    return results.stream().filter(r -> r.level() == level).count();
  }
}
