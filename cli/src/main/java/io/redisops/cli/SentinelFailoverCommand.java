package io.redisops.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.sentinel.FailoverControl;
import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.TopologyReader;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops sentinel failover [--yes]}: shows the plan, asks (or takes {@code --yes};
 * without a terminal and without {@code --yes} it refuses, exit 5), sends {@code SENTINEL
 * FAILOVER}, then verifies the new master, the replicas and the sentinels' agreement within the
 * failover timeout (exit 1 otherwise).
 */
@Command(
    name = "failover",
    description =
        "Fail the master over to a replica now (SENTINEL FAILOVER), then verify the result.")
final class SentinelFailoverCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ParentCommand SentinelCommand parent;

  @Mixin Mixins.Yes yes;

  /** The {@code --json} document: the move, and the topology after it. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record FailoverJson(
      String masterName,
      String oldMaster,
      String newMaster,
      long configEpoch,
      long tookMs,
      boolean verified,
      boolean oldMasterFollows,
      SentinelStatusCommand.TopologyJson topology) {}

  @Override
  public Integer call() {
    CommandContext ctx = new CommandContext(spec);
    try (SentinelClient client = new SentinelClient()) {
      TopologyReader reader = new TopologyReader(client, parent.target(ctx, client), ctx.clock());
      FailoverControl control = new FailoverControl(client, reader, ctx.clock());
      FailoverControl.Plan plan = control.plan();
      // the plan goes to stderr with --json so that stdout holds exactly one JSON document
      PrintWriter planOut = ctx.report();
      Consent.obtain(
          ctx, yes, "failover of master '" + plan.before().masterName() + "'", plan.lines());
      Instant started = control.start(plan);
      planOut.println("SENTINEL FAILOVER sent; verifying...");
      planOut.flush();
      FailoverControl.Result r = control.verify(plan, started);
      if (ctx.json()) {
        ctx.printJson(
            new FailoverJson(
                plan.before().masterName(),
                r.oldMaster(),
                r.newMaster(),
                r.configEpoch(),
                r.took().toMillis(),
                true,
                r.oldMasterFollows(),
                SentinelStatusCommand.toJson(r.after())));
      } else {
        PrintWriter out = ctx.out();
        out.printf(
            "failover done and verified in %.1f s: master '%s' moved from %s to %s (config epoch %d);"
                + " %d replica(s) follow it, %d sentinel(s) agree%n",
            r.took().toMillis() / 1000.0,
            plan.before().masterName(),
            r.oldMaster(),
            r.newMaster(),
            r.configEpoch(),
            r.after().replicas().stream().filter(x -> !x.down()).count(),
            r.after().reachableSentinels().size());
        out.println(
            r.oldMasterFollows()
                ? "the old master " + r.oldMaster() + " now follows " + r.newMaster()
                : "warning: the old master "
                    + r.oldMaster()
                    + " does not follow the new master yet (down, or Sentinel has"
                    + " not converted it): until it does, it may still take writes that will be lost");
        out.flush();
      }
      return 0;
    }
  }
}
