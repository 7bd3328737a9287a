package io.redisops.cli;

import io.redisops.recovery.aof.AofPlan;
import io.redisops.recovery.aof.AofService;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops aof repair [--dir DIR] [--stop] [--max-loss SIZE] [--force] [--yes]
 * [--dry-run]}.
 */
@Command(
    name = "repair",
    description =
        "Repair a damaged AOF tail with redis-check-aof --fix after copying the AOF into"
            + " quarantine. Without --force only a torn last command (at most --max-loss bytes) is cut; more is refused (exit 5)."
            + " A damaged base or a damaged incr file that is not the last: exit 3 with the restore command.")
final class AofRepairCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description =
          "Redis data directory (holding appendonlydir) or the AOF folder; default: ask the running Redis.")
  Path dir;

  @Option(
      names = "--stop",
      description =
          "Stop a running Redis first (SHUTDOWN NOSAVE, or the configured stop-command) and start it again after.")
  boolean stop;

  @Option(
      names = "--max-loss",
      paramLabel = "SIZE",
      defaultValue = "4KiB",
      description =
          "Without --force, the most a repair may cut (default: ${DEFAULT-VALUE}; 512, 4KiB, 1MiB, ...).")
  Converters.ByteSize maxLoss;

  @Option(names = "--force", description = "Cut whatever redis-check-aof --fix cuts, however much.")
  boolean force;

  @Mixin Mixins.Yes yes;

  @Mixin Mixins.DryRun dryRun;

  @Option(names = "--resume", description = "Finish a repair that was interrupted.")
  boolean resume;

  @Option(
      names = "--rollback",
      description = "Undo a repair that was interrupted: the AOF as it was, Redis on it.")
  boolean rollback;

  @Override
  public Integer call() {
    CommandContext ctx = new CommandContext(spec);
    AofService.RepairOptions options =
        new AofService.RepairOptions(
            dir, stop, maxLoss.bytes(), force, AofCommand.commandPrefix(spec));
    try (AofPlan plan =
        AofCommand.plan(
            ctx,
            spec,
            "repair",
            dir,
            resume,
            rollback,
            dryRun.dryRun,
            () -> AofCommand.service(ctx).planRepair(options, AofCommand.target(ctx)))) {
      return AofCommand.runPlan(ctx, plan, dryRun.dryRun, yes);
    }
  }
}
