package io.redisops.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.DatasetLock;
import io.redisops.text.Sizes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops delete ID [--yes] [--dry-run]}: remove one backup of the local repository, the
 * way manual backups ("kept until deleted") and damaged ones leave. Destructive, so it follows the
 * consent rule: the plan, then a question on a terminal; {@code --yes} skips it; no terminal and no
 * {@code --yes} refuses (exit 5).
 */
@Command(
    name = "delete",
    description =
        "Remove one backup from the local repository (manual backups are kept until"
            + " then; unusable or damaged ones too). Shows what goes and asks; without a terminal it needs --yes (exit 5).")
final class DeleteCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "The backup (see 'redis-ops list').")
  String id;

  @Mixin Mixins.Yes yes;

  @Mixin Mixins.DryRun dryRun;

  /** The {@code --json} document. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record DeleteJson(String dataset, String id, boolean deleted, boolean dryRun) {}

  @Override
  @SuppressWarnings("try") // the dataset lock is held through the try block, never referenced in it
  public Integer call() throws IOException {
    CommandContext ctx = new CommandContext(spec);
    String dataset = ctx.dataset().name();
    BackupContext bc = ctx.backupContext();
    BackupCatalog catalog = bc.catalog(dataset);
    // The same lock as backup, prune and restore: nobody reads or writes this backup while it goes.
    try (DatasetLock lock = dryRun.dryRun ? null : bc.lock(dataset)) {
      BackupCatalog.Entry entry = catalog.lookup(id);
      if (!entry.exists()) {
        throw catalog.noSuchBackup(id);
      }
      List<String> plan = plan(catalog, entry);
      if (dryRun.dryRun) {
        plan.forEach(ctx.report()::println);
        return done(ctx, dataset, false, "dry run: nothing was deleted");
      }
      Consent.obtain(ctx, yes, "delete backup " + dataset + "/" + id, plan);
      catalog.delete(id);
      return done(ctx, dataset, true, "deleted backup " + dataset + "/" + id);
    }
  }

  /**
   * What goes, and what that means for the dataset (the newest good backup going is said aloud).
   */
  private List<String> plan(BackupCatalog catalog, BackupCatalog.Entry entry) throws IOException {
    List<String> lines = new ArrayList<>();
    String where = catalog.repository().describe() + "/" + catalog.dataset() + "/" + id;
    Manifest m = entry.manifest();
    if (m == null) {
      lines.add(
          "delete unusable backup " + id + " (" + entry.problem() + "): every file of " + where);
      return lines;
    }
    BackupCatalog.Scan scan = catalog.scan();
    lines.add(
        "delete backup "
            + id
            + ": taken "
            + m.snapshotTime()
            + ", tiers "
            + ListCommand.tiers(m)
            + ", "
            + Sizes.human(m.storedSize())
            + " stored, "
            + ListCommand.keys(m)
            + " keys"
            + (scan.isKnownBad(m) ? ", known bad" : "")
            + ": every file of "
            + where);
    List<Manifest> good = scan.usable().stream().filter(x -> !scan.isKnownBad(x)).toList();
    if (!scan.isKnownBad(m) && !good.isEmpty() && good.get(0).id().equals(id)) {
      lines.add(
          good.size() == 1
              ? "warning: this is the only backup of " + catalog.dataset() + " not known bad"
              : "warning: this is the newest backup of "
                  + catalog.dataset()
                  + " not known bad; the next is "
                  + good.get(1).id());
    }
    return lines;
  }

  private int done(CommandContext ctx, String dataset, boolean deleted, String line) {
    if (ctx.json()) {
      ctx.printJson(new DeleteJson(dataset, id, deleted, dryRun.dryRun));
    } else {
      ctx.out().println(line);
      ctx.out().flush();
    }
    return 0;
  }
}
