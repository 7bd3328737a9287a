package io.redisops.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.archive.ArchiveRetention;
import io.redisops.backup.retention.RetentionPlanner;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.DatasetLock;
import io.redisops.backup.service.Offsite;
import io.redisops.backup.service.PruneService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops prune [--dry-run] [--where local|offsite|all]}: apply retention. Not under the
 * consent rule: it applies the configured policy, as every backup and the daemon do, and runs from
 * cron; it never deletes the newest backup that is not known bad.
 */
@Command(
    name = "prune",
    description = {
      "Apply retention: hourly and daily backups are kept as long as retention.hourly and"
          + " retention.daily say (retention.offsite-* off-site), manual ones until 'redis-ops delete'; the newest backup"
          + " not known bad is always kept.",
      "Unusable backups (see 'list') are never pruned; remove them with 'delete'."
    })
final class PruneCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin Mixins.DryRun dryRun;

  @Mixin Mixins.WhereOption where;

  /** One decision in {@code --json}. */
  record DecisionJson(String dataset, String id, boolean keep, String reason) {
    static List<DecisionJson> of(String dataset, List<RetentionPlanner.Decision> plan) {
      return plan.stream()
          .map(d -> new DecisionJson(dataset, d.backup().id(), d.keep(), d.reason()))
          .toList();
    }
  }

  /**
   * The {@code --json} document; a place not pruned has no key. {@code dataset} names the one
   * dataset pruned (null when several are), {@code datasets} every one.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record PruneJson(
      String dataset,
      List<String> datasets,
      boolean dryRun,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<DecisionJson> decisions,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<DecisionJson> offsiteDecisions,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<ArchiveJson> archiveDeletions,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<ArchiveJson> offsiteArchiveDeletions) {}

  /** One archive segment deleted by {@code retention.archive} (or that would be). */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record ArchiveJson(
      String dataset, String segment, long startOffset, long endOffset, String sealedAt) {
    static List<ArchiveJson> of(String dataset, ArchiveRetention.Plan plan) {
      return plan.delete().stream()
          .map(
              d ->
                  new ArchiveJson(
                      dataset, d.id(), d.startOffset(), d.endOffset(), d.sealedAt().toString()))
          .toList();
    }
  }

  @Override
  public Integer call() throws java.io.IOException {
    CommandContext ctx = new CommandContext(spec);
    Where w = where.where;
    boolean dry = dryRun.dryRun;
    Map<String, BackupContext> places = new LinkedHashMap<>();
    List<AutoCloseable> open = new ArrayList<>();
    try {
      if (w.local()) {
        places.put("local", ctx.backupContext());
      }
      if (w.offsite()) {
        Offsite offsite = ctx.offsite();
        open.add(offsite);
        places.put("offsite", offsite.remote());
      }
      List<String> datasets =
          ctx.datasetsIn(
              places.values().stream()
                  .map(BackupContext::repository)
                  .toArray(io.redisops.storage.Repository[]::new));
      boolean several = datasets.size() > 1;
      if (!dry) {
        for (String dataset : datasets) {
          for (BackupContext c : places.values()) {
            DatasetLock lock = c.lock(dataset);
            open.add(0, lock);
          }
        }
      }
      // place -> decisions of every dataset, in dataset order
      Map<String, List<DecisionJson>> plans = new LinkedHashMap<>();
      Map<String, List<ArchiveJson>> archives = new LinkedHashMap<>();
      for (String dataset : datasets) {
        for (Map.Entry<String, BackupContext> p : places.entrySet()) {
          PruneService.Outcome outcome =
              new PruneService(p.getValue()).pruneAll(dataset, dry, true, java.util.Set.of());
          List<RetentionPlanner.Decision> plan = outcome.backups();
          plans
              .computeIfAbsent(p.getKey(), k -> new ArrayList<>())
              .addAll(DecisionJson.of(dataset, plan));
          archives
              .computeIfAbsent(p.getKey(), k -> new ArrayList<>())
              .addAll(ArchiveJson.of(dataset, outcome.archive()));
          if (!ctx.json()) {
            print(ctx, p.getKey(), dataset, several, plan, dry);
            printArchive(ctx, p.getKey(), dataset, outcome.archive(), dry);
          }
        }
      }
      if (ctx.json()) {
        ctx.printJson(
            new PruneJson(
                several ? null : datasets.get(0),
                datasets,
                dry,
                plans.get("local"),
                plans.get("offsite"),
                archives.get("local"),
                archives.get("offsite")));
        return 0;
      }
      ctx.out().flush();
      return 0;
    } finally {
      for (AutoCloseable c : open) {
        try {
          c.close();
        } catch (Exception e) {
          ctx.err().println("redis-ops: warning: " + Cli.oneLine(String.valueOf(e.getMessage())));
        }
      }
    }
  }

  private static void print(
      CommandContext ctx,
      String place,
      String dataset,
      boolean several,
      List<RetentionPlanner.Decision> plan,
      boolean dry) {
    lines(place, several ? dataset + "/" : "", plan, dry ? "would delete" : "delete")
        .forEach(ctx.out()::println);
    long deleted = plan.stream().filter(d -> !d.keep()).count();
    // the local line keeps its earlier wording: scripts read it
    ctx.out()
        .printf(
            "%s%d of %d %sbackup(s) of %s%n",
            dry ? "dry run: would delete " : "deleted ",
            deleted,
            plan.size(),
            place.equals("local") ? "" : "off-site ",
            dataset);
  }

  /** One line when retention.archive deletes segments of the dataset's archive. */
  private static void printArchive(
      CommandContext ctx, String place, String dataset, ArchiveRetention.Plan plan, boolean dry) {
    if (plan.delete().isEmpty()) {
      return;
    }
    ArchiveRetention.Deletion first = plan.delete().get(0);
    ArchiveRetention.Deletion last = plan.delete().get(plan.delete().size() - 1);
    ctx.out()
        .printf(
            "%s%d %sarchive segment(s) of %s sealed %s to %s (retention.archive; %d kept)%n",
            dry ? "dry run: would delete " : "deleted ",
            plan.delete().size(),
            place.equals("local") ? "" : "off-site ",
            dataset,
            first.sealedAt(),
            last.sealedAt(),
            plan.kept());
  }

  private static List<String> lines(
      String place, String prefix, List<RetentionPlanner.Decision> plan, String delete) {
    List<String> lines = new ArrayList<>();
    for (RetentionPlanner.Decision d : plan) {
      lines.add(
          String.format(
              "%-6s %s  %s%s",
              d.keep() ? "keep" : delete,
              prefix + d.backup().id(),
              d.reason(),
              place.equals("local") ? "" : " (off-site)"));
    }
    return lines;
  }
}
