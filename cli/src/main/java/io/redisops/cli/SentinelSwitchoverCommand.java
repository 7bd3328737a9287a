package io.redisops.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.SwitchoverControl;
import io.redisops.sentinel.TopologyReader;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops sentinel switchover [--to HOST:PORT] [--yes] [--dry-run]}: the plan, consent,
 * then {@link SwitchoverControl}: a change of master that loses no acknowledged write.
 */
@Command(
    name = "switchover",
    description = {
      "Move the master to a replica without losing acknowledged writes: other replicas held back"
          + " (replica-priority 0), writes paused on the master (CLIENT PAUSE WRITE) until the"
          + " replica has them all, SENTINEL FAILOVER, the old master made a replica, the pause"
          + " ended, the result verified, the priorities put back.",
      "Any failure before the promotion ends the pause and leaves the master where it was."
    })
final class SentinelSwitchoverCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ParentCommand SentinelCommand parent;

  @Option(
      names = "--to",
      paramLabel = "HOST:PORT",
      description =
          "The replica to promote (default: the healthy replica with the most data, at a priority"
              + " above 0).")
  String to;

  @Mixin Mixins.Yes yes;

  @Mixin Mixins.DryRun dryRun;

  /** The {@code --json} document of {@code --dry-run}: the plan. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record PlanJson(
      boolean dryRun, String masterName, String master, String target, List<String> plan) {}

  /** The {@code --json} document: the move, the write pause, and the topology after it. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record SwitchoverJson(
      String masterName,
      String oldMaster,
      String newMaster,
      long configEpoch,
      long writePauseMs,
      long caughtUpOffset,
      long tookMs,
      boolean verified,
      boolean oldMasterFollows,
      SentinelStatusCommand.TopologyJson topology) {}

  @Override
  public Integer call() {
    CommandContext ctx = new CommandContext(spec);
    try (SentinelClient client = new SentinelClient()) {
      TopologyReader reader = new TopologyReader(client, parent.target(ctx, client), ctx.clock());
      SwitchoverControl control = new SwitchoverControl(client, reader, ctx.clock());
      SwitchoverControl.Plan plan = control.plan(to);
      String name = plan.before().masterName();
      if (dryRun.dryRun) {
        if (ctx.json()) {
          ctx.printJson(
              new PlanJson(
                  true,
                  name,
                  plan.before().master().address(),
                  plan.target().address(),
                  plan.lines()));
        } else {
          plan.lines().forEach(ctx.out()::println);
          ctx.out().println("dry run: nothing was changed");
          ctx.out().flush();
        }
        return 0;
      }
      Consent.obtain(ctx, yes, "switchover of master '" + name + "'", plan.lines());
      PrintWriter report = ctx.report();
      SwitchoverControl.Result r =
          control.run(
              plan,
              line -> {
                report.println(line);
                report.flush();
              });
      if (ctx.json()) {
        ctx.printJson(
            new SwitchoverJson(
                name,
                r.oldMaster(),
                r.newMaster(),
                r.configEpoch(),
                r.writePause().toMillis(),
                r.caughtUpOffset(),
                r.took().toMillis(),
                true,
                r.oldMasterFollows(),
                SentinelStatusCommand.toJson(r.after())));
      } else {
        PrintWriter out = ctx.out();
        out.printf(
            "switchover done and verified in %.1f s: master '%s' moved from %s to %s (config epoch"
                + " %d) with every acknowledged write; writes were paused for %d ms%n",
            r.took().toMillis() / 1000.0,
            name,
            r.oldMaster(),
            r.newMaster(),
            r.configEpoch(),
            r.writePause().toMillis());
        out.println(
            r.oldMasterFollows()
                ? "the old master " + r.oldMaster() + " now follows " + r.newMaster()
                : "warning: the sentinels do not show the old master "
                    + r.oldMaster()
                    + " following "
                    + r.newMaster()
                    + " yet; see 'sentinel status'");
        out.flush();
      }
      return 0;
    }
  }
}
