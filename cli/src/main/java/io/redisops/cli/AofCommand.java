package io.redisops.cli;

import io.redisops.recovery.aof.AofChecker;
import io.redisops.recovery.aof.AofFileReport;
import io.redisops.recovery.aof.AofOutcome;
import io.redisops.recovery.aof.AofPlan;
import io.redisops.recovery.aof.AofReport;
import io.redisops.recovery.aof.AofService;
import io.redisops.recovery.aof.CheckAofTool;
import io.redisops.recovery.kernel.ServiceCommands;
import io.redisops.recovery.restore.RestoreTimeouts;
import io.redisops.config.Settings;
import io.redisops.redis.RedisConnector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code redis-ops aof check | repair | undo-flushall}: the AOF emergencies. This class only groups them. */
@Command(name = "aof", description = "Check and repair the append-only file, undo an accidental FLUSHALL.",
    subcommands = {AofCheckCommand.class, AofRepairCommand.class, AofUndoFlushallCommand.class})
final class AofCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The service with the real redis-check-aof, on the context's clock, with restore's timeouts. */
  static AofService service(CommandContext ctx) {
    return new AofService(new AofChecker(new CheckAofTool()), ctx.clock(), RestoreTimeouts.defaults().control(),
        RedisConnector.DEFAULT_TIMEOUT);
  }

  /** The dataset's Redis with what restore is given too: config file, start-command and stop-command. */
  static AofService.Target target(CommandContext ctx) {
    Settings.DatasetSettings ds = ctx.dataset();
    return new AofService.Target(ds.endpoint(), ds.configFile(),
        new ServiceCommands(ds.startCommand(), ds.stopCommand()));
  }

  /** The plan of an AOF command: --resume and --rollback take the interrupted run, else {@code fresh}. */
  static AofPlan plan(CommandContext ctx, CommandSpec spec, String action, java.nio.file.Path dir, boolean resume,
      boolean rollback, boolean dryRun, java.util.function.Supplier<AofPlan> fresh) {
    if (resume && rollback) {
      throw io.redisops.error.RedisOpsException.usage("--resume and --rollback exclude each other");
    }
    if ((resume || rollback) && dryRun) {
      throw io.redisops.error.RedisOpsException.usage("--dry-run applies to a new " + action + ", not to --resume or"
          + " --rollback");
    }
    if (resume) {
      return service(ctx).resume(action, dir, target(ctx), commandPrefix(spec));
    }
    if (rollback) {
      return service(ctx).rollback(action, dir, target(ctx), commandPrefix(spec));
    }
    return fresh.get();
  }

  /** How the operator calls redis-ops, for advice lines: config file and dataset, never the URI (it may hold a password). */
  static String commandPrefix(CommandSpec spec) {
    RedisOpsCommand root = spec.root().commandLine().getCommand();
    StringBuilder s = new StringBuilder("redis-ops");
    if (root.config != null) {
      s.append(" -c ").append(root.config);
    }
    if (root.dataset != null) {
      s.append(" --dataset ").append(root.dataset);
    }
    return s.toString();
  }

  static Map<String, Object> json(AofReport r) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("aof", r.location().target().toString());
    doc.put("valid", r.valid());
    doc.put("damage", r.damage().name().toLowerCase(java.util.Locale.ROOT));
    List<Map<String, Object>> files = new ArrayList<>();
    for (AofFileReport f : r.files()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", f.name());
      m.put("type", f.type().name().toLowerCase(java.util.Locale.ROOT));
      m.put("status", f.status().name().toLowerCase(java.util.Locale.ROOT));
      m.put("size", f.size());
      m.put("valid_up_to", f.validUpTo());
      m.put("bytes_after", f.bytesAfter());
      m.put("commands_after", f.commandsAfter());
      m.put("commands", f.commands());
      m.put("last_intact_time", f.lastIntactTime() == null ? null : f.lastIntactTime().toString());
      m.put("problem", f.problem());
      files.add(m);
    }
    doc.put("files", files);
    doc.put("redis_check_aof_says", r.toolSays());
    return doc;
  }

  static Map<String, Object> json(AofPlan plan, boolean dryRun, AofOutcome out) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("action", plan.action());
    doc.put("dry_run", dryRun);
    doc.put("nothing_to_do", plan.nothingToDo());
    doc.put("findings", plan.findings());
    doc.put("plan", plan.describe());
    doc.put("quarantine", plan.quarantineFolder() == null ? null : plan.quarantineFolder().toString());
    doc.put("removed_bytes", plan.removedBytes());
    doc.put("removed_commands", plan.removedCommands());
    doc.put("removed", plan.removed());
    doc.put("last_intact_time", plan.report().lastIntactTime().map(Object::toString).orElse(null));
    doc.put("done", out != null);
    if (out != null) {
      doc.put("keys_before", out.keysBefore());
      doc.put("keys_after", out.keysAfter());
      doc.put("started_pid", out.startedPid());
      doc.put("valid_after", out.after() != null && out.after().valid());
    }
    doc.put("check", json(plan.report()));
    return doc;
  }

  /**
   * Shows the plan, asks, runs it and reports: what {@code repair} and {@code undo-flushall} share.
   *
   * @return the exit code (0); refusals and failures are thrown
   */
  static int runPlan(CommandContext ctx, AofPlan plan, boolean dryRun, boolean yes) {
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
    if (text) {
      ctx.out().println("Plan (" + plan.action() + "):");
      List<String> steps = plan.describe();
      for (int i = 0; i < steps.size(); i++) {
        ctx.out().println("  " + (i + 1) + ". " + steps.get(i));
      }
      ctx.out().flush();
    }
    if (dryRun) {
      if (text) {
        ctx.out().println("dry run: nothing was changed");
      } else {
        ctx.printJson(json(plan, true, null));
      }
      ctx.out().flush();
      return 0;
    }
    Consent.obtain(ctx, "aof " + plan.action() + (plan.mode() == AofPlan.Mode.NEW ? ""
        : plan.mode() == AofPlan.Mode.RESUME ? " --resume" : " --rollback"), yes);
    AofOutcome out = plan.execute(step -> {
      (text ? ctx.out() : ctx.err()).println("==> " + step);
      (text ? ctx.out() : ctx.err()).flush();
    });
    if (ctx.json()) {
      Map<String, Object> doc = json(plan, false, out);
      if (out.rolledBack() != null) {
        doc.put("rolled_back", out.rolledBack());
      }
      ctx.printJson(doc);
      return 0;
    }
    if (out.rolledBack() != null) {
      ctx.out().println("rollback done: " + out.rolledBack());
      ctx.out().flush();
      return 0;
    }
    ctx.out().println("done: " + plan.action() + " cut " + out.removedBytes() + " bytes ("
        + (out.removed().isEmpty() ? out.removedCommands() + " command(s)" : String.join(", ", out.removed())) + ")"
        + (out.lastIntactTime() == null ? "" : "; last command kept was logged at " + out.lastIntactTime()));
    ctx.out().println("the AOF as it was is kept in " + out.quarantine());
    if (out.startedPid() > 0) {
      ctx.out().println("Redis is running again (pid " + out.startedPid() + "); keys before: "
          + out.keysBefore() + ", after: " + out.keysAfter());
    }
    ctx.out().flush();
    return 0;
  }
}
