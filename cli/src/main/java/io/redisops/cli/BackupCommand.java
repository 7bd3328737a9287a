package io.redisops.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.rdb.Verification;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.BackupRequest;
import io.redisops.backup.service.BackupResult;
import io.redisops.backup.service.BackupService;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.config.Settings;
import io.redisops.text.Sizes;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops backup}: take one backup now, verify, store, prune. With Sentinel, of the server
 * the sentinels' view names by {@code backup-from} (over the replication stream when it is on
 * another host).
 */
@Command(
    name = "backup",
    description = {
      "Take one backup now: capture, verify, store, then apply retention.",
      "For a dataset with a sentinel section (and no --redis), the server comes from the sentinels'"
          + " current view by sentinel.backup-from; one on another host is read over the"
          + " replication stream."
    })
final class BackupCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--tier",
      paramLabel = "TIER",
      defaultValue = "manual",
      completionCandidates = Converters.TierValues.class,
      description =
          "hourly, daily or manual (default: ${DEFAULT-VALUE}); retention is decided per tier.")
  Tier tier;

  @Option(
      names = "--method",
      paramLabel = "METHOD",
      completionCandidates = Converters.MethodValues.class,
      description =
          "bgsave, replication or auto (default: the dataset's method in the configuration, else"
              + " auto: bgsave when the data directory is readable here, else replication).")
  SnapshotMethod method;

  /** The {@code --json} document: the new backup's manifest, and what retention removed. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record BackupJson(
      Manifest backup, String repository, int leftoversRemoved, List<String> pruned) {}

  @Override
  public Integer call() {
    CommandContext ctx = new CommandContext(spec);
    Tier t = tier;
    Settings.DatasetSettings ds = ctx.dataset();
    SnapshotMethod m = method != null ? method : ds.method();
    BackupContext bc = ctx.backupContext();
    CommandContext.Server server = ctx.server(CommandContext.Use.BACKUP, "backup");
    // A server the sentinels chose on another host: auto captures it by replication, and a bgsave
    // capture refuses it (BackupService, BgsaveSnapshotSource).
    BackupService service = BackupService.standard(bc);
    BackupResult r =
        service.backup(
            new BackupRequest(ds.name(), server.endpoint(), Set.of(t), m), ctx.progress());
    Manifest b = r.manifest();
    if (ctx.json()) {
      ctx.printJson(
          new BackupJson(
              b,
              bc.repository().describe(),
              r.leftoversRemoved(),
              r.pruned().stream().map(Manifest::id).toList()));
    } else {
      ctx.out()
          .printf(
              Locale.ROOT,
              "backup %s of %s: %s keys%s, %s raw, %s stored (%s), %s, %.2f s%n",
              b.id(),
              b.dataset(),
              b.describeTotalKeys(),
              b.keys().isEmpty() ? "" : " (" + Manifest.describeKeys(b.keys()) + ")",
              Sizes.human(b.rawSize()),
              Sizes.human(b.storedSize()),
              b.compression(),
              b.method(),
              b.durationMs() / 1000.0);
      if (b.verificationLevel() == Verification.CHECKSUM) {
        ctx.out().printf("verified by checksum only: %s%n", b.verificationNote());
      }
      for (Manifest p : r.pruned()) {
        ctx.out()
            .printf(
                "pruned %s (%s)%n",
                p.id(), String.join(",", p.sortedTiers().stream().map(Tier::id).toList()));
      }
      ctx.out().flush();
    }
    return 0;
  }
}
