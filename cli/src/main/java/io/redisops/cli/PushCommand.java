package io.redisops.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.service.Offsite;
import io.redisops.backup.service.PushResult;
import io.redisops.backup.service.PushService;
import io.redisops.error.ExitCode;
import io.redisops.text.Sizes;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code redis-ops push [--dry-run]}: copy every local backup missing off-site. */
@Command(
    name = "push",
    description =
        "Copy every local backup that is missing off-site (verified), then apply off-site retention.")
final class PushCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin Mixins.DryRun dryRun;

  /** The {@code --json} document. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record PushJson(
      String dataset,
      String offsite,
      boolean dryRun,
      List<PushedJson> pushed,
      List<String> alreadyOffsite,
      List<RefusedJson> refused,
      int leftoversRemoved,
      List<String> pruned) {}

  /** One backup copied (or, with --dry-run, to copy). */
  record PushedJson(String id, long bytes, long millis) {}

  /** One local backup not copied: it fails its checksum. */
  record RefusedJson(String id, String reason) {}

  @Override
  public Integer call() {
    CommandContext ctx = new CommandContext(spec);
    String dataset = ctx.dataset().name();
    PushResult r;
    String where;
    try (Offsite offsite = ctx.offsite()) {
      where = offsite.remote().repository().describe();
      r =
          new PushService(ctx.backupContext(), offsite)
              .push(dataset, dryRun.dryRun, ctx.progress());
    }
    if (ctx.json()) {
      ctx.printJson(
          new PushJson(
              dataset,
              where,
              dryRun.dryRun,
              r.pushed().stream().map(p -> new PushedJson(p.id(), p.bytes(), p.millis())).toList(),
              r.alreadyOffsite(),
              r.refused().stream().map(x -> new RefusedJson(x.id(), x.reason())).toList(),
              r.leftoversRemoved(),
              r.retention().stream().filter(d -> !d.keep()).map(d -> d.backup().id()).toList()));
    } else {
      for (PushResult.Pushed p : r.pushed()) {
        ctx.out()
            .printf(
                "%s %s  %s%s%n",
                dryRun.dryRun ? "would push" : "pushed",
                p.id(),
                Sizes.human(p.bytes()),
                dryRun.dryRun ? "" : String.format(" in %.1f s", p.millis() / 1000.0));
      }
      for (PushResult.Refused x : r.refused()) {
        ctx.out().printf("refused %s  %s%n", x.id(), x.reason());
      }
      r.retention().stream()
          .filter(d -> !d.keep())
          .forEach(d -> ctx.out().printf("pruned off-site %s  %s%n", d.backup().id(), d.reason()));
      ctx.out()
          .printf(
              "%s%d backup(s) of %s to %s; %d already there%n",
              dryRun.dryRun ? "dry run: would push " : "pushed ",
              r.pushed().size(),
              dataset,
              where,
              r.alreadyOffsite().size());
      ctx.out().flush();
    }
    if (!r.ok()) {
      throw new ReportedFailure(
          ExitCode.INTEGRITY,
          r.refused().size()
              + " local backup(s) fail their checksum and were "
              + "not pushed: "
              + String.join(", ", r.refused().stream().map(PushResult.Refused::id).toList())
              + "; run 'redis-ops verify --all'");
    }
    return 0;
  }
}
