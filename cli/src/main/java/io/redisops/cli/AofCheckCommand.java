package io.redisops.cli;

import io.redisops.error.ExitCode;
import io.redisops.recovery.aof.AofReport;
import io.redisops.recovery.aof.AofReports;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code redis-ops aof check [--dir DIR]}: exit 0 valid, 3 damaged. */
@Command(
    name = "check",
    description =
        "Check the AOF with redis-check-aof and report per file: size, valid up to,"
            + " bytes and commands after, last #TS time. Exit 0 valid, 3 damaged.")
final class AofCheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "Redis data directory (holding appendonlydir) or the AOF folder; default: ask the running Redis.")
  Path dir;

  @Override
  public Integer call() {
    CommandContext ctx = new CommandContext(spec);
    // With --dir the Redis is not asked (it may be down), so no dataset needs to be resolved.
    AofReport r =
        AofCommand.service(ctx)
            .check(
                dir,
                dir == null ? ctx.server(CommandContext.Use.MASTER, "aof check").endpoint() : null);
    if (ctx.json()) {
      ctx.printJson(AofCommand.json(r));
    } else {
      ctx.out().println("AOF: " + r.location().target());
      r.files().forEach(f -> ctx.out().println("  " + AofReports.line(f)));
      ctx.out()
          .println(
              r.valid()
                  ? "valid"
                  : "DAMAGED ("
                      + r.damage().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                      + ")");
      ctx.out().flush();
    }
    if (!r.valid()) {
      throw new ReportedFailure(
          ExitCode.INTEGRITY,
          "the AOF in "
              + r.location().aofDir()
              + " is damaged"
              + r.damagedFile()
                  .map(f -> ": " + f.name() + (f.problem() == null ? "" : " " + f.problem()))
                  .orElse("")
              + "; see 'redis-ops aof repair --dry-run'");
    }
    return 0;
  }
}
