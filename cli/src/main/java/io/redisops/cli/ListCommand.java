package io.redisops.cli;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.progress.Sizes;
import io.redisops.backup.service.BackupContext;
import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code redis-ops list}: one row per complete backup. */
@Command(name = "list", description = "One row per complete backup: id, snapshot time, tiers, sizes, keys, source.")
final class ListCommand implements Callable<Integer> {
  static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  @Spec
  CommandSpec spec;

  @Option(names = "--where", paramLabel = "WHERE", defaultValue = "local",
      description = "local (default); offsite and all need an off-site repository, which this version does not have yet.")
  String where;

  @Override
  public Integer call() throws IOException {
    CommandContext ctx = new CommandContext(spec);
    Where.check(where);
    String dataset = ctx.dataset().name();
    BackupContext bc = ctx.backupContext();
    List<Manifest> backups = bc.catalog(dataset).list();
    if (ctx.json()) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("dataset", dataset);
      doc.put("repository", bc.repository().describe());
      doc.put("backups", backups.stream().map(m -> row(m)).toList());
      ctx.printJson(doc);
      return 0;
    }
    if (backups.isEmpty()) {
      ctx.out().println("no backups of " + dataset + " in " + bc.repository().describe());
      ctx.out().flush();
      return 0;
    }
    Table t = new Table("ID", "SNAPSHOT (local)", "TIERS", "RAW", "STORED", "KEYS", "SOURCE", "WHERE");
    ZoneId zone = ctx.clock().getZone();
    for (Manifest m : backups) {
      t.add(m.id(), LOCAL_TIME.format(m.snapshotTime().atZone(zone)), tiers(m), Sizes.human(m.rawSize()),
          Sizes.human(m.storedSize()), keys(m), m.source().host() + ":" + m.source().port() + " " + m.source().role(), "local");
    }
    t.print(ctx.out());
    return 0;
  }

  private static Map<String, Object> row(Manifest m) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("id", m.id());
    r.put("snapshot_time", m.snapshotTime().toString());
    r.put("tiers", m.sortedTiers().stream().map(Tier::id).toList());
    r.put("raw_size", m.rawSize());
    r.put("stored_size", m.storedSize());
    r.put("keys", m.keys());
    r.put("total_keys", m.totalKeys());
    r.put("method", m.method());
    r.put("source", m.source());
    r.put("where", List.of("local"));
    return r;
  }

  static String tiers(Manifest m) {
    return String.join(",", m.sortedTiers().stream().map(Tier::id).toList());
  }

  static String keys(Manifest m) {
    if (!m.keyCountsAvailable()) {
      return "?";
    }
    return m.totalKeys() + (m.keys().size() > 1 ? " (" + Manifest.describeKeys(m.keys()) + ")" : "");
  }

  /** The {@code --where} values; off-site arrives with the S3 repository. */
  static final class Where {
    private Where() {}

    static void check(String where) {
      switch (where) {
        case "local" -> { }
        case "offsite", "all" -> throw RedisOpsException.usage("--where " + where
            + ": no off-site repository is configured (this version stores backups locally only)");
        default -> throw RedisOpsException.usage("--where: unknown value '" + where + "'; use local, offsite or all");
      }
    }
  }
}
