package io.redisops.cli;

import io.redisops.recovery.aof.AofChecker;
import io.redisops.recovery.aof.AofFileReport;
import io.redisops.recovery.aof.AofOutcome;
import io.redisops.recovery.aof.AofPlan;
import io.redisops.recovery.aof.AofReport;
import io.redisops.recovery.aof.AofService;
import io.redisops.recovery.aof.CheckAofTool;
import io.redisops.recovery.aof.RedisServerControl;
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

  /** The service with the real redis-check-aof and the server control, on the context's clock. */
  static AofService service(CommandContext ctx) {
    return new AofService(new AofChecker(new CheckAofTool()),
        new RedisServerControl(ctx.clock(), RedisServerControl.START_TIMEOUT), ctx.clock(), RedisConnector.DEFAULT_TIMEOUT);
  }

  /** How the operator calls redis-ops, for advice lines: config file and dataset, never the URI (it may hold a password). */
  static String commandPrefix(CommandSpec spec) {
    return new CommandContext(spec).commandPrefix();
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
   * Shows the plan, asks ({@link Consent}), runs it and reports: what {@code repair} and {@code undo-flushall} share.
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
    Consent.obtain(ctx, yes, "aof " + plan.action(), lines);
    AofOutcome out = plan.execute(step -> {
      ctx.report().println("==> " + step);
      ctx.report().flush();
    });
    if (ctx.json()) {
      ctx.printJson(json(plan, false, out));
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
