package io.redisops.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.archive.ArchiveStore;
import io.redisops.backup.archive.ArchiveSummary;
import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.DrillLog;
import io.redisops.backup.catalog.DrillRecord;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.Offsite;
import io.redisops.text.Sizes;
import java.io.IOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops list [--where local|offsite|all]}: one row per complete backup, and where it
 * lives.
 */
@Command(
    name = "list",
    description =
        "One row per complete backup: id, snapshot time, tiers, sizes, keys, source, where; then,"
            + " per dataset with a point-in-time archive, one line: timelines, gaps, covered from"
            + " and to, lag (off-site lag with --where all).")
final class ListCommand implements Callable<Integer> {
  static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  @Spec CommandSpec spec;

  @Mixin Mixins.WhereOption where;

  /**
   * One backup of a dataset, the places that hold it, and those where a verification found it bad.
   */
  private record Row(String dataset, Manifest manifest, List<String> where, List<String> bad) {}

  /**
   * A backup folder whose manifest cannot be used (see {@code BackupCatalog.Unusable}); also its
   * {@code --json}.
   */
  record UnusableRow(String dataset, String id, String where, String problem) {}

  /**
   * The {@code --json} document: {@code dataset} names the one dataset listed (null when several
   * are), {@code datasets} every one, {@code archives} the point-in-time archive of each (in the
   * places read).
   */
  record ListJson(
      String dataset,
      List<String> datasets,
      String repository,
      List<RowJson> backups,
      List<UnusableRow> unusable,
      List<ArchiveSummary.DatasetArchive> archives) {}

  /** One backup in {@code --json}: its manifest's figures, where it lives, and its state. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record RowJson(
      String dataset,
      String id,
      String snapshotTime,
      List<String> tiers,
      long rawSize,
      long storedSize,
      SortedMap<Integer, Long> keys,
      Long totalKeys,
      Long serverKeys,
      String rdbFormat,
      String verification,
      String verificationNote,
      String originPath,
      String method,
      Manifest.Source source,
      List<String> where,
      String state,
      List<String> knownBad,
      DrillRecord lastDrill) {}

  @Override
  public Integer call() throws IOException {
    CommandContext ctx = new CommandContext(spec);
    Where w = where.where;
    BackupContext bc = ctx.backupContext();
    List<String> repositories = new ArrayList<>();
    List<Row> sorted = new ArrayList<>();
    List<UnusableRow> unusable = new ArrayList<>();
    List<String> datasets;
    // each backup's newest drill, of its local or its off-site copy, by dataset/id
    Map<String, DrillRecord> drills = new java.util.HashMap<>();
    List<ArchiveSummary.DatasetArchive> archives = new ArrayList<>();
    ArchiveSummary summary = new ArchiveSummary(ctx.clock());
    try (Offsite offsite = w.offsite() ? ctx.offsite() : null) {
      List<io.redisops.storage.Repository> read = new ArrayList<>();
      if (w.local()) {
        repositories.add(bc.repository().describe());
        read.add(bc.repository());
      }
      if (offsite != null) {
        repositories.add(offsite.remote().repository().describe());
        read.add(offsite.remote().repository());
      }
      datasets = ctx.datasetsIn(read.toArray(io.redisops.storage.Repository[]::new));
      for (String dataset : datasets) {
        // newest first, one row per id
        Map<String, Row> rows = new TreeMap<>(java.util.Comparator.reverseOrder());
        ArchiveSummary.Place localArchive = null;
        ArchiveSummary.Place remoteArchive = null;
        if (w.local()) {
          BackupCatalog.Scan scan = bc.catalog(dataset).scan();
          add(dataset, rows, unusable, scan, "local");
          addDrills(drills, dataset, new DrillLog(bc.catalog(dataset)).all());
          localArchive =
              summary.place(
                  new ArchiveStore(bc.repository(), bc.compression()), dataset, oldest(scan));
        }
        if (offsite != null) {
          BackupCatalog.Scan scan = offsite.remote().catalog(dataset).scan();
          add(dataset, rows, unusable, scan, "offsite");
          addDrills(drills, dataset, new DrillLog(offsite.remote().catalog(dataset)).all());
          remoteArchive = summary.place(offsite.archive(), dataset, oldest(scan));
        }
        archives.add(
            summary.dataset(dataset, archiveEnabled(ctx, dataset), localArchive, remoteArchive));
        List<Row> ofDataset = new ArrayList<>(rows.values());
        ofDataset.sort((a, b) -> BackupCatalog.NEWEST_FIRST.compare(a.manifest(), b.manifest()));
        sorted.addAll(ofDataset);
      }
    }
    boolean several = datasets.size() > 1;
    if (ctx.json()) {
      ctx.printJson(
          new ListJson(
              several ? null : datasets.get(0),
              datasets,
              String.join(", ", repositories),
              sorted.stream()
                  .map(r -> row(r, drills.get(r.dataset() + "/" + r.manifest().id())))
                  .toList(),
              unusable,
              archives));
      return 0;
    }
    if (sorted.isEmpty() && unusable.isEmpty()) {
      ctx.out()
          .println(
              several || !w.local() || w.offsite()
                  ? "no backups of "
                      + String.join(", ", datasets)
                      + " in "
                      + String.join(" or ", repositories)
                  : bc.catalog(datasets.get(0)).noBackups(""));
      printArchives(ctx, archives);
      return 0;
    }
    List<String> header =
        new ArrayList<>(
            List.of(
                "ID",
                "SNAPSHOT (local)",
                "TIERS",
                "RAW",
                "STORED",
                "KEYS",
                "VERIFIED",
                "SOURCE",
                "WHERE",
                "STATE",
                "LAST DRILL"));
    if (several) {
      header.add(0, "DATASET");
    }
    Table t = new Table(header.toArray(String[]::new));
    ZoneId zone = ctx.clock().getZone();
    for (Row r : sorted) {
      Manifest m = r.manifest();
      List<String> cells =
          new ArrayList<>(
              List.of(
                  m.id(),
                  LOCAL_TIME.format(m.snapshotTime().atZone(zone)),
                  tiers(m),
                  Sizes.human(m.rawSize()),
                  Sizes.human(m.storedSize()),
                  keys(m),
                  m.verificationLevel().label(),
                  m.source().describeServer(),
                  String.join(",", r.where()),
                  state(r),
                  drill(drills.get(r.dataset() + "/" + m.id()), zone)));
      if (several) {
        cells.add(0, r.dataset());
      }
      t.add(cells.toArray(String[]::new));
    }
    for (UnusableRow u : unusable) {
      List<String> cells =
          new ArrayList<>(
              List.of(u.id(), "-", "-", "-", "-", "-", "-", "-", u.where(), "UNUSABLE", "-"));
      if (several) {
        cells.add(0, u.dataset());
      }
      t.add(cells.toArray(String[]::new));
    }
    t.print(ctx.out());
    for (Row r : sorted) {
      if (!r.bad().isEmpty()) {
        String id = (several ? r.dataset() + "/" : "") + r.manifest().id();
        ctx.out()
            .println(
                id
                    + " ("
                    + String.join(",", r.bad())
                    + "): BAD: a verification found it damaged;"
                    + " retention does not count it as the newest; remove it with 'redis-ops "
                    + (several ? "--dataset " + r.dataset() + " " : "")
                    + "delete "
                    + r.manifest().id()
                    + "'");
      }
    }
    for (UnusableRow u : unusable) {
      ctx.out()
          .println(
              (several ? u.dataset() + "/" : "")
                  + u.id()
                  + " ("
                  + u.where()
                  + "): UNUSABLE: "
                  + u.problem());
    }
    printArchives(ctx, archives);
    return 0;
  }

  private static void printArchives(
      CommandContext ctx, List<ArchiveSummary.DatasetArchive> archives) {
    ZoneId zone = ctx.clock().getZone();
    for (ArchiveSummary.DatasetArchive a : archives) {
      if (a.shown()) {
        ctx.out().println(ArchiveLines.line(a, zone));
      }
    }
    ctx.out().flush();
  }

  /**
   * Whether the daemon archives the dataset: {@code archive.enabled} and the dataset configured.
   */
  private static boolean archiveEnabled(CommandContext ctx, String dataset) {
    return ctx.settings().daemon().archive().enabled()
        && ctx.datasetsConfigured()
        && ctx.settings().datasets().stream().anyMatch(d -> d.name().equals(dataset));
  }

  /** The snapshot time of the oldest usable backup of a scan, null when none. */
  private static java.time.Instant oldest(BackupCatalog.Scan scan) {
    return scan.usable().stream()
        .map(Manifest::snapshotTime)
        .filter(java.util.Objects::nonNull)
        .min(java.time.Instant::compareTo)
        .orElse(null);
  }

  private static void add(
      String dataset,
      Map<String, Row> rows,
      List<UnusableRow> unusable,
      BackupCatalog.Scan scan,
      String where) {
    for (Manifest m : scan.usable()) {
      Row r =
          rows.computeIfAbsent(
              m.id(), k -> new Row(dataset, m, new ArrayList<>(), new ArrayList<>()));
      r.where().add(where);
      if (scan.isKnownBad(m)) {
        r.bad().add(where);
      }
    }
    scan.unusable()
        .forEach(u -> unusable.add(new UnusableRow(dataset, u.id(), where, u.problem())));
  }

  private static String state(Row r) {
    return r.bad().isEmpty() ? "ok" : "BAD";
  }

  private static void addDrills(
      Map<String, DrillRecord> into, String dataset, Map<String, DrillRecord> found) {
    found.forEach(
        (id, d) ->
            into.merge(
                dataset + "/" + id, d, (a, b) -> DrillLog.NEWEST_FIRST.compare(a, b) <= 0 ? a : b));
  }

  /** A drill in a table cell: {@code pass 2026-12-01 02:00:04}, {@code FAIL ...}, or {@code -}. */
  static String drill(DrillRecord d, ZoneId zone) {
    if (d == null) {
      return "-";
    }
    return (d.passed() ? "pass " : "FAIL ")
        + (d.finishedAt() == null ? "?" : LOCAL_TIME.format(d.finishedAt().atZone(zone)));
  }

  private static RowJson row(Row row, DrillRecord drill) {
    Manifest m = row.manifest();
    return new RowJson(
        row.dataset(),
        m.id(),
        m.snapshotTime().toString(),
        m.sortedTiers().stream().map(Tier::id).toList(),
        m.rawSize(),
        m.storedSize(),
        m.keys(),
        m.keysKnown() ? m.totalKeys() : null,
        m.serverKeys(),
        m.rdbFormat(),
        m.verificationLevel().label(),
        m.verificationNote(),
        m.originPath(),
        m.method(),
        m.source(),
        row.where(),
        state(row).toLowerCase(java.util.Locale.ROOT),
        row.bad(),
        drill);
  }

  static String tiers(Manifest m) {
    return String.join(",", m.sortedTiers().stream().map(Tier::id).toList());
  }

  static String keys(Manifest m) {
    if (!m.keysKnown()) {
      // a checksum-only backup: the RDB's count is unknown; the server's count at capture is
      // indicative only
      return "?" + (m.serverKeys() == null ? "" : " (~" + m.serverKeys() + ")");
    }
    return m.totalKeys()
        + (m.keys().size() > 1 ? " (" + Manifest.describeKeys(m.keys()) + ")" : "");
  }
}
