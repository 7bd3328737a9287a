package io.redisops.cli;

import io.redisops.backup.retention.RetentionPlanner;
import io.redisops.backup.service.PruneService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code redis-ops prune [--dry-run]}: apply retention. */
@Command(name = "prune", description = "Apply retention: hourly kept 48h, daily 30d, manual until deleted; the newest backup is always kept.")
final class PruneCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--dry-run", description = "Show what would be deleted; delete nothing.")
  boolean dryRun;

  @Option(names = "--where", paramLabel = "WHERE", defaultValue = "local", description = "local (default).")
  String where;

  @Override
  public Integer call() {
    CommandContext ctx = new CommandContext(spec);
    ListCommand.Where.check(where);
    String dataset = ctx.dataset().name();
    List<RetentionPlanner.Decision> plan = new PruneService(ctx.backupContext()).prune(dataset, dryRun, false);
    if (ctx.json()) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("dataset", dataset);
      doc.put("dry_run", dryRun);
      doc.put("decisions", plan.stream().map(d -> Map.of("id", d.backup().id(), "keep", d.keep(), "reason", d.reason())).toList());
      ctx.printJson(doc);
      return 0;
    }
    long deleted = plan.stream().filter(d -> !d.keep()).count();
    for (RetentionPlanner.Decision d : plan) {
      ctx.out().printf("%-6s %s  %s%n", d.keep() ? "keep" : (dryRun ? "would delete" : "delete"), d.backup().id(), d.reason());
    }
    ctx.out().printf("%s%d of %d backup(s) of %s%n", dryRun ? "dry run: would delete " : "deleted ", deleted, plan.size(), dataset);
    ctx.out().flush();
    return 0;
  }
}
