package io.redisops.cli;

import io.redisops.recovery.aof.AofPlan;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code redis-ops aof undo-flushall [--yes] [--dry-run]}. */
@Command(
    name = "undo-flushall",
    description =
        "Undo FLUSHALL/FLUSHDB (any variant) at the end of the AOF: stop Redis"
            + " (SHUTDOWN NOSAVE), copy the AOF into quarantine, cut the flushes, check, start Redis. Refused (exit 5) after a"
            + " rewrite or later writes.")
final class AofUndoFlushallCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin Mixins.Yes yes;

  @Mixin Mixins.DryRun dryRun;

  @Option(names = "--resume", description = "Finish an undo that was interrupted.")
  boolean resume;

  @Option(
      names = "--rollback",
      description = "Undo an interrupted undo-flushall: the AOF as it was, Redis on it.")
  boolean rollback;

  @Override
  public Integer call() {
    CommandContext ctx = new CommandContext(spec);
    try (AofPlan plan =
        AofCommand.plan(
            ctx,
            spec,
            "undo-flushall",
            null,
            resume,
            rollback,
            dryRun.dryRun,
            () ->
                AofCommand.service(ctx)
                    .planUndoFlushall(AofCommand.target(ctx), AofCommand.commandPrefix(spec)))) {
      return AofCommand.runPlan(ctx, plan, dryRun.dryRun, yes);
    }
  }
}
