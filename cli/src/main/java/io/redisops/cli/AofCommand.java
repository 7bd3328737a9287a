package io.redisops.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.config.Settings;
import io.redisops.recovery.aof.AofChecker;
import io.redisops.recovery.aof.AofOutcome;
import io.redisops.recovery.aof.AofPlan;
import io.redisops.recovery.aof.AofReport;
import io.redisops.recovery.aof.AofService;
import io.redisops.recovery.aof.CheckAofTool;
import io.redisops.recovery.kernel.ServiceCommands;
import io.redisops.recovery.restore.RestoreTimeouts;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisEndpoint;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops aof check | repair | undo-flushall}: the AOF emergencies. This class only groups
 * them.
 */
@Command(
    name = "aof",
    description = "Check and repair the append-only file, undo an accidental FLUSHALL.",
    subcommands = {AofCheckCommand.class, AofRepairCommand.class, AofUndoFlushallCommand.class})
final class AofCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The service with the real redis-check-aof, on the context's clock, with restore's timeouts. */
  static AofService service(CommandContext ctx) {
    return new AofService(
        new AofChecker(new CheckAofTool()),
        ctx.clock(),
        RestoreTimeouts.defaults().control(),
        RedisConnector.DEFAULT_TIMEOUT);
  }

  /**
   * The dataset's Redis with what restore is given too: config file, start-command and
   * stop-command.
   */
  static AofService.Target target(CommandContext ctx) {
    return target(ctx, ctx.server(CommandContext.Use.MASTER, "aof").endpoint());
  }

  /**
   * The target of {@code --resume} and {@code --rollback}: the server the interrupted run worked on
   * ({@code redis.uri}, or {@code --redis}), not the sentinels' current master.
   */
  static AofService.Target interruptedTarget(CommandContext ctx) {
    return target(ctx, ctx.dataset().endpoint());
  }

  private static AofService.Target target(CommandContext ctx, RedisEndpoint endpoint) {
    Settings.DatasetSettings ds = ctx.dataset();
    return new AofService.Target(
        endpoint, ds.configFile(), new ServiceCommands(ds.startCommand(), ds.stopCommand()));
  }

  /**
   * The plan of an AOF command: --resume and --rollback take the interrupted run, else {@code
   * fresh}.
   */
  static AofPlan plan(
      CommandContext ctx,
      CommandSpec spec,
      String action,
      java.nio.file.Path dir,
      boolean resume,
      boolean rollback,
      boolean dryRun,
      java.util.function.Supplier<AofPlan> fresh) {
    if (resume && rollback) {
      throw io.redisops.error.RedisOpsException.usage("--resume and --rollback exclude each other");
    }
    if ((resume || rollback) && dryRun) {
      throw io.redisops.error.RedisOpsException.usage(
          "--dry-run applies to a new " + action + ", not to --resume or" + " --rollback");
    }
    if (resume) {
      return service(ctx).resume(action, dir, interruptedTarget(ctx), commandPrefix(spec));
    }
    if (rollback) {
      return service(ctx).rollback(action, dir, interruptedTarget(ctx), commandPrefix(spec));
    }
    return fresh.get();
  }

  /**
   * How the operator calls redis-ops, for advice lines: config file and dataset, never the URI (it
   * may hold a password).
   */
  static String commandPrefix(CommandSpec spec) {
    return new CommandContext(spec).commandPrefix();
  }

  /**
   * The {@code --json} document of {@code aof check}, also the {@code check} of repair and
   * undo-flushall.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record CheckJson(
      String aof, boolean valid, String damage, List<FileJson> files, String redisCheckAofSays) {}

  /** One file of the AOF. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record FileJson(
      String name,
      String type,
      String status,
      long size,
      long validUpTo,
      long bytesAfter,
      long commandsAfter,
      long commands,
      String lastIntactTime,
      String problem) {}

  /** The {@code --json} document of {@code aof repair} and {@code aof undo-flushall}. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record PlanJson(
      String action,
      boolean dryRun,
      boolean nothingToDo,
      List<String> findings,
      List<String> plan,
      String quarantine,
      long removedBytes,
      long removedCommands,
      List<String> removed,
      String lastIntactTime,
      boolean done,
      @JsonUnwrapped DoneJson outcome,
      CheckJson check,
      @JsonInclude(JsonInclude.Include.NON_NULL) String rolledBack) {}

  /** What only a plan that ran has. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record DoneJson(long keysBefore, long keysAfter, long startedPid, boolean validAfter) {}

  static CheckJson json(AofReport r) {
    return new CheckJson(
        r.location().target().toString(),
        r.valid(),
        lower(r.damage().name()),
        r.files().stream()
            .map(
                f ->
                    new FileJson(
                        f.name(),
                        lower(f.type().name()),
                        lower(f.status().name()),
                        f.size(),
                        f.validUpTo(),
                        f.bytesAfter(),
                        f.commandsAfter(),
                        f.commands(),
                        f.lastIntactTime() == null ? null : f.lastIntactTime().toString(),
                        f.problem()))
            .toList(),
        r.toolSays());
  }

  static PlanJson json(AofPlan plan, boolean dryRun, AofOutcome out) {
    return new PlanJson(
        plan.action(),
        dryRun,
        plan.nothingToDo(),
        plan.findings(),
        plan.describe(),
        plan.quarantineFolder() == null ? null : plan.quarantineFolder().toString(),
        plan.removedBytes(),
        plan.removedCommands(),
        plan.removed(),
        plan.report().lastIntactTime().map(Object::toString).orElse(null),
        out != null,
        out == null
            ? null
            : new DoneJson(
                out.keysBefore(),
                out.keysAfter(),
                out.startedPid(),
                out.after() != null && out.after().valid()),
        json(plan.report()),
        out == null ? null : out.rolledBack());
  }

  private static String lower(String name) {
    return name.toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Shows the plan, asks ({@link Consent}), runs it and reports: what {@code repair} and {@code
   * undo-flushall} share.
   *
   * @return the exit code (0); refusals and failures are thrown
   */
  static int runPlan(CommandContext ctx, AofPlan plan, boolean dryRun, Mixins.Yes yes) {
    boolean text = !ctx.json();
    if (text) {
      plan.findings().forEach(l -> ctx.out().println(l));
    }
    if (plan.nothingToDo()) {
      if (ctx.json()) {
        ctx.printJson(json(plan, dryRun, null));
      }
      ctx.out().flush();
      return 0;
    }
    List<String> lines = new ArrayList<>();
    lines.add("Plan (" + plan.action() + "):");
    List<String> steps = plan.describe();
    for (int i = 0; i < steps.size(); i++) {
      lines.add("  " + (i + 1) + ". " + steps.get(i));
    }
    if (dryRun) {
      if (text) {
        lines.forEach(ctx.out()::println);
        ctx.out().println("dry run: nothing was changed");
      } else {
        ctx.printJson(json(plan, true, null));
      }
      ctx.out().flush();
      return 0;
    }
    Consent.obtain(
        ctx,
        yes,
        "aof "
            + plan.action()
            + (plan.mode() == AofPlan.Mode.NEW
                ? ""
                : plan.mode() == AofPlan.Mode.RESUME ? " --resume" : " --rollback"),
        lines);
    AofOutcome out =
        plan.execute(
            step -> {
              ctx.report().println("==> " + step);
              ctx.report().flush();
            });
    if (ctx.json()) {
      ctx.printJson(json(plan, false, out));
      return 0;
    }
    if (out.rolledBack() != null) {
      ctx.out().println("rollback done: " + out.rolledBack());
      ctx.out().flush();
      return 0;
    }
    ctx.out()
        .println(
            "done: "
                + plan.action()
                + " cut "
                + out.removedBytes()
                + " bytes ("
                + (out.removed().isEmpty()
                    ? out.removedCommands() + " command(s)"
                    : String.join(", ", out.removed()))
                + ")"
                + (out.lastIntactTime() == null
                    ? ""
                    : "; last command kept was logged at " + out.lastIntactTime()));
    ctx.out().println("the AOF as it was is kept in " + out.quarantine());
    if (out.startedPid() > 0) {
      ctx.out()
          .println(
              "Redis is running again (pid "
                  + out.startedPid()
                  + "); keys before: "
                  + out.keysBefore()
                  + ", after: "
                  + out.keysAfter());
    }
    ctx.out().flush();
    return 0;
  }
}
