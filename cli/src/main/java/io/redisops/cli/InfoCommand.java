package io.redisops.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.archive.ArchiveStore;
import io.redisops.backup.archive.ArchiveSummary;
import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.InfoService;
import io.redisops.backup.service.Offsite;
import io.redisops.config.Settings;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.text.Sizes;
import java.io.IOException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops info}: every dataset of the repository (and of the off-site store, when one is
 * configured) at a glance; {@code --json} is a stable document for scripts and monitoring.
 */
@Command(
    name = "info",
    description = {
      "Every dataset of the repository at a glance: per dataset, local and off-site, the number of"
          + " backups and their bytes, the oldest and the newest (time, age, tiers), known-bad and"
          + " unusable ones, the newest restore drill, and the point-in-time archive when there is"
          + " one (timelines, gaps, covered from and to, lag; off-site lag).",
      "--dataset or --redis narrows it to one dataset; --json prints a stable document"
          + " (docs/commands.md)."
    })
final class InfoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /**
   * One dataset: {@code offsite} null without an off-site store (or when it could not be read),
   * {@code newest_drill} null until a backup of it was drilled, {@code archive} its point-in-time
   * archive (always present; {@code archive.local.archived} false without one).
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record DatasetJson(
      String dataset,
      boolean configured,
      InfoService.Place local,
      InfoService.Place offsite,
      InfoService.Drill newestDrill,
      ArchiveSummary.DatasetArchive archive) {}

  /** The {@code --json} document. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record InfoJson(
      String checkedAt,
      String repository,
      String offsiteRepository,
      String offsiteError,
      List<DatasetJson> datasets) {}

  @Override
  public Integer call() throws IOException {
    CommandContext ctx = new CommandContext(spec);
    BackupContext bc = ctx.backupContext();
    InfoService info = new InfoService(ctx.clock());
    ArchiveSummary archives = new ArchiveSummary(ctx.clock());
    boolean archiveEnabled = ctx.settings().daemon().archive().enabled();
    boolean offsiteConfigured = ctx.settings().offsite().isPresent();
    List<DatasetJson> out = new ArrayList<>();
    String offsiteRepository = null;
    RedisOpsException offsiteError = null;
    Offsite offsite = null;
    try {
      if (offsiteConfigured) {
        try {
          offsite = ctx.offsite();
          offsiteRepository = offsite.remote().repository().describe();
          // the first listing tells whether the store can be read at all
          BackupCatalog.datasets(offsite.remote().repository());
        } catch (RedisOpsException | IOException e) {
          offsiteError =
              e instanceof RedisOpsException r
                  ? r
                  : RedisOpsException.failed(String.valueOf(e.getMessage()), e);
          if (offsite != null) {
            offsite.close();
            offsite = null;
          }
        }
      }
      List<String> configured =
          ctx.datasetsConfigured()
              ? ctx.settings().datasets().stream().map(Settings.DatasetSettings::name).toList()
              : List.of();
      TreeSet<String> names = new TreeSet<>();
      if (ctx.datasetGiven() || ctx.redisGiven()) {
        names.add(ctx.dataset().name());
      } else {
        // every dataset with backups here or off-site, and the configured ones (none yet is news)
        names.addAll(BackupCatalog.datasets(bc.repository()));
        if (offsite != null) {
          names.addAll(BackupCatalog.datasets(offsite.remote().repository()));
        }
        names.addAll(configured);
      }
      for (String name : names) {
        List<BackupCatalog> catalogs = new ArrayList<>();
        catalogs.add(bc.catalog(name));
        if (offsite != null) {
          catalogs.add(offsite.remote().catalog(name));
        }
        InfoService.Place local = info.place(catalogs.get(0));
        InfoService.Place remote = offsite == null ? null : info.place(catalogs.get(1));
        ArchiveSummary.Place localArchive =
            archives.place(
                new ArchiveStore(bc.repository(), bc.compression()), name, oldest(local));
        ArchiveSummary.Place remoteArchive =
            offsite == null ? null : archives.place(offsite.archive(), name, oldest(remote));
        out.add(
            new DatasetJson(
                name,
                configured.contains(name),
                local,
                remote,
                info.newestDrill(catalogs).orElse(null),
                archives.dataset(
                    name,
                    archiveEnabled && configured.contains(name),
                    localArchive,
                    remoteArchive)));
      }
    } finally {
      if (offsite != null) {
        offsite.close();
      }
    }
    if (ctx.json()) {
      ctx.printJson(
          new InfoJson(
              ctx.clock().instant().toString(),
              bc.repository().describe(),
              offsiteRepository,
              offsiteError == null ? null : offsiteError.getMessage(),
              out));
    } else {
      print(ctx, out, offsiteConfigured);
    }
    if (offsiteError != null) {
      throw new ReportedFailure(
          offsiteError.exitCode() == ExitCode.USAGE ? ExitCode.USAGE : ExitCode.FAILED,
          "the off-site store could not be read: " + offsiteError.getMessage());
    }
    return 0;
  }

  private static java.time.Instant oldest(InfoService.Place p) {
    return p == null || p.oldest() == null ? null : p.oldest().snapshotTime();
  }

  private static void print(CommandContext ctx, List<DatasetJson> datasets, boolean offsite) {
    if (datasets.isEmpty()) {
      ctx.out().println("no datasets in " + ctx.backupContext().repository().describe());
      ctx.out().flush();
      return;
    }
    ZoneId zone = ctx.clock().getZone();
    Table t =
        new Table(
            "DATASET",
            "WHERE",
            "BACKUPS",
            "SIZE",
            "OLDEST (local)",
            "NEWEST (local)",
            "LAST DRILL");
    for (DatasetJson d : datasets) {
      row(t, d.dataset(), "local", d.local(), drill(d.newestDrill()), zone);
      if (offsite) {
        row(t, "", "offsite", d.offsite(), "", zone);
      }
    }
    t.print(ctx.out());
    for (DatasetJson d : datasets) {
      if (d.archive().shown()) {
        ctx.out().println(ArchiveLines.line(d.archive(), zone));
      }
    }
    for (DatasetJson d : datasets) {
      InfoService.Place l = d.local();
      if (l.knownBad() > 0 || l.unusable() > 0) {
        ctx.out()
            .println(
                d.dataset()
                    + ": "
                    + l.knownBad()
                    + " known bad, "
                    + l.unusable()
                    + " unusable local backup(s); see 'redis-ops --dataset "
                    + d.dataset()
                    + " list'");
      }
    }
    ctx.out().flush();
  }

  private static void row(
      Table t, String dataset, String where, InfoService.Place p, String drill, ZoneId zone) {
    if (p == null) {
      t.add(dataset, where, "?", "?", "-", "-", drill);
      return;
    }
    t.add(
        dataset,
        where,
        String.valueOf(p.backups()),
        Sizes.human(p.bytes()),
        at(p.oldest(), zone),
        at(p.newest(), zone),
        drill);
  }

  private static String at(InfoService.BackupAt b, ZoneId zone) {
    if (b == null) {
      return "-";
    }
    return ListCommand.LOCAL_TIME.format(b.snapshotTime().atZone(zone))
        + " ("
        + InfoService.describeAge(b.ageSeconds())
        + " ago, "
        + String.join(",", b.tiers())
        + ")";
  }

  private static String drill(InfoService.Drill d) {
    if (d == null) {
      return "none";
    }
    return d.result()
        + " "
        + d.backupId()
        + (d.ageSeconds() == null ? "" : " (" + InfoService.describeAge(d.ageSeconds()) + " ago)");
  }
}
