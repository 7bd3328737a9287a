package io.redisops.cli;

import io.redisops.backup.archive.ArchiveSummary;
import io.redisops.backup.service.InfoService;
import java.time.Instant;
import java.time.ZoneId;

/**
 * The point-in-time archive of a dataset in one line of {@code info} and {@code list}: {@code
 * archive of cache: local 1 timeline, 0 gaps, from 2026-12-01 10:00:00 to 2026-12-01 12:00:03 (1s
 * ago); offsite ... (2s behind local)}.
 */
final class ArchiveLines {
  private ArchiveLines() {}

  static String line(ArchiveSummary.DatasetArchive a, ZoneId zone) {
    StringBuilder sb = new StringBuilder("archive of ").append(a.dataset()).append(": ");
    boolean archived =
        (a.local() != null && a.local().archived())
            || (a.offsite() != null && a.offsite().archived());
    boolean failed =
        (a.local() != null && a.local().error() != null)
            || (a.offsite() != null && a.offsite().error() != null);
    if (!archived && !failed) {
      return sb.append("enabled, nothing archived yet (redis-ops archive status)").toString();
    }
    String sep = "";
    if (a.local() != null) {
      sb.append("local ").append(place(a.local(), zone));
      sep = "; ";
    }
    if (a.offsite() != null) {
      sb.append(sep).append("offsite ").append(place(a.offsite(), zone));
      if (a.offsiteLagSeconds() != null) {
        sb.append(" (")
            .append(
                a.offsiteLagSeconds() == 0
                    ? "up to date"
                    : InfoService.describeAge(a.offsiteLagSeconds()) + " behind local")
            .append(')');
      }
    }
    return sb.toString();
  }

  private static String place(ArchiveSummary.Place p, ZoneId zone) {
    if (p.error() != null) {
      return "could not be read: " + p.error();
    }
    if (!p.archived()) {
      return "none";
    }
    StringBuilder sb =
        new StringBuilder()
            .append(p.timelines())
            .append(p.timelines() == 1 ? " timeline, " : " timelines, ")
            .append(p.gaps())
            .append(p.gaps() == 1 ? " gap, " : " gaps, ");
    if (p.to() == null) {
      return sb.append("started ").append(at(p.from(), zone)).append(", no segment yet").toString();
    }
    sb.append("from ").append(at(p.from(), zone)).append(" to ").append(at(p.to(), zone));
    if (p.lagSeconds() != null) {
      sb.append(" (").append(InfoService.describeAge(p.lagSeconds())).append(" ago)");
    }
    return sb.toString();
  }

  private static String at(Instant t, ZoneId zone) {
    return t == null ? "?" : ListCommand.LOCAL_TIME.format(t.atZone(zone));
  }
}
