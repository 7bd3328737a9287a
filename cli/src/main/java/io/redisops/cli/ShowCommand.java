package io.redisops.cli;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.DrillLog;
import io.redisops.backup.catalog.DrillRecord;
import io.redisops.backup.catalog.Manifest;
import io.redisops.error.RedisOpsException;
import io.redisops.text.Sizes;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code redis-ops show ID}: one backup's manifest. */
@Command(name = "show", description = "Show one backup's manifest.")
final class ShowCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "ID", description = "Backup id (see 'redis-ops list').")
  String id;

  @Override
  public Integer call() throws IOException {
    CommandContext ctx = new CommandContext(spec);
    String dataset = ctx.dataset().name();
    BackupCatalog.Entry e = ctx.backupContext().catalog(dataset).lookup(id);
    if (e.problem() != null) {
      throw RedisOpsException.integrity(
          "backup "
              + dataset
              + "/"
              + id
              + " is unusable: "
              + e.problem()
              + "; remove it with 'redis-ops delete "
              + id
              + "'");
    }
    Manifest m =
        Optional.ofNullable(e.manifest())
            .orElseThrow(
                () ->
                    RedisOpsException.notFound(
                        "no backup '" + id + "' in dataset " + dataset + "; see 'redis-ops list'"));
    if (ctx.json()) {
      ctx.printJson(m);
      return 0;
    }
    PrintWriter out = ctx.out();
    out.printf("id:             %s%n", m.id());
    out.printf("dataset:        %s%n", m.dataset());
    out.printf(
        "snapshot time:  %s (%s local)%n",
        m.snapshotTime(),
        ListCommand.LOCAL_TIME.format(m.snapshotTime().atZone(ctx.clock().getZone())));
    out.printf("completed at:   %s%n", m.completedAt());
    out.printf("tiers:          %s%n", ListCommand.tiers(m));
    out.printf("method:         %s%n", m.method());
    Manifest.Source s = m.source();
    if (s.host() == null) {
      // an imported copy: no server was asked; what the RDB says of its writer
      out.printf(
          "source:         role=%s, written by %s%s%n",
          s.role(),
          s.redisVersion() == null
              ? "an unknown version"
              : s.describe() + " (redis_version " + s.redisVersion() + ")",
          s.replid() == null ? "" : " replid=" + s.replid() + " offset=" + s.offset());
    } else {
      out.printf(
          "source:         %s:%d role=%s %s (redis_version %s) run_id=%s replid=%s offset=%s%n",
          s.host(),
          s.port(),
          s.role(),
          s.describe(),
          s.redisVersion(),
          s.runId(),
          s.replid(),
          s.offset());
    }
    if (m.originPath() != null) {
      out.printf("imported from:  %s%n", m.originPath());
    }
    out.printf("rdb format:     %s (version %d)%n", m.rdbFormat(), m.rdbVersion());
    out.printf(
        "verification:   %s%s%n",
        m.verificationLevel().label(),
        m.verificationNote() == null ? "" : " (" + m.verificationNote() + ")");
    out.printf("keys:           %s%n", m.keysKnown() ? ListCommand.keys(m) : m.describeTotalKeys());
    out.printf("expires:        %s%n", Manifest.describeKeys(m.expires()));
    out.printf(
        "object:         %s (%s, encryption %s)%n", m.object(), m.compression(), m.encryption());
    out.printf("raw size:       %s (%d bytes)%n", Sizes.human(m.rawSize()), m.rawSize());
    out.printf("stored size:    %s (%d bytes)%n", Sizes.human(m.storedSize()), m.storedSize());
    out.printf("raw sha256:     %s%n", m.rawSha256());
    out.printf("stored sha256:  %s%n", m.storedSha256());
    out.printf(
        "rdb crc64:      %s%n", m.rdbCrc64() == null ? "none (rdbchecksum no)" : m.rdbCrc64());
    out.printf("duration:       %.2f s%n", m.durationMs() / 1000.0);
    out.printf("tool version:   %s%n", m.toolVersion());
    out.printf(
        "last drill:     %s%n",
        new DrillLog(ctx.backupContext().catalog(dataset))
            .find(m.id())
            .map(d -> ListCommand.drill(d, ctx.clock().getZone()) + describeDrill(d))
            .orElse("never (see 'redis-ops drill')"));
    out.flush();
    return 0;
  }

  private static String describeDrill(DrillRecord d) {
    StringBuilder b = new StringBuilder(" (" + d.from());
    if (d.server() != null) {
      b.append(", ").append(d.server());
    }
    if (d.loadSeconds() != null) {
      b.append(String.format(java.util.Locale.ROOT, ", loaded in %.2f s", d.loadSeconds()));
    }
    if (d.totalKeys() != null) {
      b.append(", ").append(d.totalKeys()).append(" keys");
    }
    b.append(')');
    if (d.reason() != null) {
      b.append(": ").append(d.reason());
    }
    return b.toString();
  }
}
