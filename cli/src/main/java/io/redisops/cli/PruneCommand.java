package io.redisops.cli;

import io.redisops.backup.retention.RetentionPlanner;
import io.redisops.backup.service.Offsite;
import io.redisops.backup.service.PruneService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code redis-ops prune [--dry-run] [--where local|offsite|all]}: apply retention. */
@Command(name = "prune", description = {"Apply retention: hourly and daily backups are kept as long as retention.hourly and"
    + " retention.daily say (retention.offsite-* off-site), manual ones until 'redis-ops delete'; the newest backup"
    + " not known bad is always kept.", "Unusable backups (see 'list') are never pruned; remove them with 'delete'."})
final class PruneCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--dry-run", description = "Show what would be deleted; delete nothing.")
  boolean dryRun;

  @Option(names = "--where", paramLabel = "WHERE", defaultValue = "local",
      description = "local (default), offsite (retention.offsite-*) or all.")
  String where;

  @Override
  public Integer call() {
    CommandContext ctx = new CommandContext(spec);
    Where w = Where.parse(where);
    String dataset = ctx.dataset().name();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("dataset", dataset);
    doc.put("dry_run", dryRun);
    if (w.local()) {
      report(ctx, dataset, "local", new PruneService(ctx.backupContext()).prune(dataset, dryRun, false), doc);
    }
    if (w.offsite()) {
      try (Offsite offsite = ctx.offsite()) {
        report(ctx, dataset, "offsite", new PruneService(offsite.remote()).prune(dataset, dryRun, false), doc);
      }
    }
    if (ctx.json()) {
      ctx.printJson(doc);
    }
    return 0;
  }

  private void report(CommandContext ctx, String dataset, String place, List<RetentionPlanner.Decision> plan,
      Map<String, Object> doc) {
    if (ctx.json()) {
      doc.put(place.equals("local") ? "decisions" : "offsite_decisions",
          plan.stream().map(d -> Map.of("id", d.backup().id(), "keep", d.keep(), "reason", d.reason())).toList());
      return;
    }
    long deleted = plan.stream().filter(d -> !d.keep()).count();
    for (RetentionPlanner.Decision d : plan) {
      ctx.out().printf("%-6s %s  %s%n", d.keep() ? "keep" : (dryRun ? "would delete" : "delete"), d.backup().id(), d.reason());
    }
    // the local line keeps its earlier wording: scripts read it
    ctx.out().printf("%s%d of %d %sbackup(s) of %s%n", dryRun ? "dry run: would delete " : "deleted ", deleted, plan.size(),
        place.equals("local") ? "" : "off-site ", dataset);
    ctx.out().flush();
  }
}
