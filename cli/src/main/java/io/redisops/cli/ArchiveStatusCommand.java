package io.redisops.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.archive.ArchiveCoverage;
import io.redisops.backup.service.Offsite;
import io.redisops.config.Settings;
import io.redisops.schedules.ArchiveStatusService;
import io.redisops.text.Sizes;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops archive status}: per dataset, the archive's covered ranges and its lag behind
 * the master.
 */
@Command(
    name = "status",
    description = {
      "Per dataset (--dataset for one, else every configured one): the archive's covered ranges"
          + " (from, to, the backups they continue, the gap before each), and how far it is behind"
          + " the master in bytes and seconds when the master answers, and, with an off-site"
          + " repository, how many seconds the off-site archive is behind the local one.",
      "--json prints one document (docs/commands.md)."
    })
final class ArchiveStatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--no-master",
      description = "Do not ask the master for its offset (no lag in bytes).")
  boolean noMaster;

  @Option(
      names = "--no-offsite",
      description = "Do not read the off-site repository (no off-site lag).")
  boolean noOffsite;

  /** The {@code --json} document. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record StatusJson(
      String checkedAt, String repository, List<ArchiveStatusService.DatasetArchive> datasets) {}

  @Override
  public Integer call() throws IOException {
    CommandContext ctx = new CommandContext(spec);
    boolean enabled = ctx.settings().daemon().archive().enabled();
    List<Settings.DatasetSettings> datasets =
        ctx.datasetGiven() || ctx.redisGiven() ? List.of(ctx.dataset()) : ctx.settings().datasets();
    List<ArchiveStatusService.DatasetArchive> out = new ArrayList<>();
    try (Offsite offsite =
        ctx.settings().offsite().isPresent() && !noOffsite ? ctx.offsite() : null) {
      ArchiveStatusService service =
          new ArchiveStatusService(ctx.backupContext(), offsite, ctx.clock());
      for (Settings.DatasetSettings ds : datasets) {
        out.add(service.status(ds, enabled, !noMaster));
      }
    }
    if (ctx.json()) {
      ctx.printJson(
          new StatusJson(
              ctx.clock().instant().toString(), ctx.backupContext().repository().describe(), out));
      return 0;
    }
    ZoneId zone = ctx.clock().getZone();
    for (ArchiveStatusService.DatasetArchive d : out) {
      ctx.out().println(d.dataset() + ": " + headline(d));
      if (d.ranges().isEmpty()) {
        continue;
      }
      Table t =
          new Table("TIMELINE", "FROM", "TO", "OFFSETS", "SEGMENTS", "SIZE", "BASES", "BEFORE");
      for (ArchiveCoverage.Range r : d.ranges()) {
        t.add(
            r.timeline(),
            at(r.from(), zone),
            at(r.to(), zone),
            r.fromOffset() + "-" + r.toOffset(),
            String.valueOf(r.segments()),
            Sizes.human(r.bytes()),
            r.bases().isEmpty() ? "-" : String.join(",", r.bases()),
            r.gapBefore() == null ? "-" : "gap: " + r.gapBefore().reason());
      }
      t.print(ctx.out());
    }
    ctx.out().flush();
    return 0;
  }

  private static String headline(ArchiveStatusService.DatasetArchive d) {
    StringBuilder sb = new StringBuilder();
    sb.append(d.enabled() ? "archive enabled" : "archive not enabled (archive.enabled)");
    if (d.ranges().isEmpty()) {
      return sb.append(", no archive yet").toString();
    }
    long gaps = d.ranges().stream().filter(r -> r.gapBefore() != null).count();
    sb.append(", ").append(d.ranges().size()).append(" range(s), ").append(gaps).append(" gap(s)");
    if (d.lagSeconds() != null) {
      sb.append("; covered up to ").append(d.lagSeconds()).append(" s ago");
    }
    if (d.lagBytes() != null) {
      sb.append("; ").append(d.lagBytes()).append(" bytes behind the master ").append(d.master());
    } else if (d.masterError() != null) {
      sb.append("; the master did not answer: ").append(d.masterError());
    }
    if (d.offsiteLagSeconds() != null) {
      sb.append("; off-site ").append(d.offsiteLagSeconds()).append(" s behind");
    } else if (d.offsiteError() != null) {
      sb.append("; the off-site archive could not be read: ").append(d.offsiteError());
    }
    return sb.toString();
  }

  private static String at(Instant t, ZoneId zone) {
    return t == null ? "-" : ListCommand.LOCAL_TIME.format(t.atZone(zone));
  }
}
