package io.redisops.cli;

import io.redisops.backup.catalog.DrillRecord;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.service.Offsite;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.recovery.drill.DrillService;
import io.redisops.recovery.restore.BackupSources;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops drill [ID | --latest] [--from local|offsite]}: load a backup into a scratch
 * server and check it; the outcome is recorded beside the manifest.
 */
@Command(
    name = "drill",
    description =
        "Load a backup into a scratch server of its source's engine and version (drill.server, else the"
            + " program the dataset's Redis runs) on a free loopback port, compare the key counts per database"
            + " with the manifest and record the result beside it; exit 3 when the drill fails.")
final class DrillCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "ID",
      arity = "0..1",
      description = "The backup to drill (default: the newest).")
  String id;

  @Option(names = "--latest", description = "Drill the newest backup (the default).")
  boolean latest;

  @Option(
      names = "--from",
      paramLabel = "WHERE",
      defaultValue = "local",
      completionCandidates = DrillFromValues.class,
      description = "local (default) or offsite: which copy of the backup is loaded.")
  BackupSources.From from;

  /** What shell completion offers for {@code drill --from}. */
  static final class DrillFromValues extends java.util.ArrayList<String> {
    private static final long serialVersionUID = 1L;

    DrillFromValues() {
      super(java.util.List.of("local", "offsite"));
    }
  }

  @Override
  public Integer call() throws IOException {
    CommandContext ctx = new CommandContext(spec);
    if (id != null && latest) {
      throw RedisOpsException.usage("give a backup id or --latest, not both");
    }
    if (from == BackupSources.From.AUTO) {
      throw RedisOpsException.usage("drill --from takes local or offsite, not auto");
    }
    boolean remote = from == BackupSources.From.OFFSITE;
    var ds = ctx.dataset();
    DrillService.Outcome o;
    try (Offsite offsite = remote ? ctx.offsite() : null) {
      DrillService service =
          new DrillService(
              ctx.backupContext(),
              offsite,
              DrillService.Options.defaults(ctx.settings().drillServer().orElse(null)),
              ctx.clock());
      o =
          service.drill(
              new DrillService.Request(ds.name(), id, null, remote, ds.endpoint()), ctx.progress());
    }
    DrillRecord r = o.record();
    if (ctx.json()) {
      ctx.printJson(r);
    } else {
      print(ctx.out(), o);
    }
    if (!r.passed()) {
      throw new ReportedFailure(
          ExitCode.INTEGRITY,
          "drill of backup "
              + r.backupId()
              + " FAILED: "
              + r.reason()
              + "; do not rely on this backup (recorded beside its manifest, see 'redis-ops show "
              + r.backupId()
              + "')");
    }
    return 0;
  }

  private static void print(PrintWriter out, DrillService.Outcome o) {
    DrillRecord r = o.record();
    Manifest m = o.backup();
    out.println(
        "drill of backup "
            + r.backupId()
            + " ("
            + r.from()
            + ", "
            + o.repository()
            + ") on "
            + r.server()
            + ": "
            + r.result().toUpperCase(Locale.ROOT));
    if (r.loadSeconds() != null) {
      out.printf(
          Locale.ROOT,
          "loaded in %.2f s: %d keys (%s); the manifest says %s%n",
          r.loadSeconds(),
          r.totalKeys(),
          Manifest.describeKeys(r.loadedKeys()),
          m.keysKnown() ? m.totalKeys() + " (" + Manifest.describeKeys(m.keys()) + ")" : "unknown");
    }
    if (r.reason() != null) {
      out.println("reason: " + r.reason());
    }
    out.flush();
  }
}
