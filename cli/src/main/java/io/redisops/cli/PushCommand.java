package io.redisops.cli;

import io.redisops.text.Sizes;
import io.redisops.backup.service.Offsite;
import io.redisops.backup.service.PushResult;
import io.redisops.backup.service.PushService;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code redis-ops push [--dry-run]}: copy every local backup missing off-site. */
@Command(name = "push", description = "Copy every local backup that is missing off-site (verified), then apply off-site retention.")
final class PushCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--dry-run", description = "Show what would be copied; copy nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    CommandContext ctx = new CommandContext(spec);
    String dataset = ctx.dataset().name();
    PushResult r;
    String where;
    try (Offsite offsite = ctx.offsite()) {
      where = offsite.remote().repository().describe();
      r = new PushService(ctx.backupContext(), offsite).push(dataset, dryRun, ctx.progress());
    }
    if (ctx.json()) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("dataset", dataset);
      doc.put("offsite", where);
      doc.put("dry_run", dryRun);
      doc.put("pushed", r.pushed().stream().map(p -> Map.of("id", p.id(), "bytes", p.bytes(), "millis", p.millis())).toList());
      doc.put("already_offsite", r.alreadyOffsite());
      doc.put("refused", r.refused().stream().map(x -> Map.of("id", x.id(), "reason", x.reason())).toList());
      doc.put("leftovers_removed", r.leftoversRemoved());
      doc.put("pruned", r.retention().stream().filter(d -> !d.keep()).map(d -> d.backup().id()).toList());
      ctx.printJson(doc);
    } else {
      for (PushResult.Pushed p : r.pushed()) {
        ctx.out().printf("%s %s  %s%s%n", dryRun ? "would push" : "pushed", p.id(), Sizes.human(p.bytes()),
            dryRun ? "" : String.format(" in %.1f s", p.millis() / 1000.0));
      }
      for (PushResult.Refused x : r.refused()) {
        ctx.out().printf("refused %s  %s%n", x.id(), x.reason());
      }
      r.retention().stream().filter(d -> !d.keep())
          .forEach(d -> ctx.out().printf("pruned off-site %s  %s%n", d.backup().id(), d.reason()));
      ctx.out().printf("%s%d backup(s) of %s to %s; %d already there%n", dryRun ? "dry run: would push " : "pushed ",
          r.pushed().size(), dataset, where, r.alreadyOffsite().size());
      ctx.out().flush();
    }
    if (!r.ok()) {
      throw new RedisOpsException(ExitCode.INTEGRITY, r.refused().size() + " local backup(s) fail their checksum and were "
          + "not pushed: " + String.join(", ", r.refused().stream().map(PushResult.Refused::id).toList())
          + "; run 'redis-ops verify --all'");
    }
    return 0;
  }
}
