package io.redisops.cli;

import io.redisops.error.RedisOpsException;
import java.io.Console;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * The one consent rule of every destructive command (docs/commands.md, "Consent"): the plan is
 * printed (on stdout; on stderr under {@code --json}, so that stdout keeps its single document),
 * then {@code --yes} goes ahead; on a terminal the operator is asked and only an explicit {@code y}
 * or {@code yes} (any case) goes ahead; anything else, end of input, or no terminal without {@code
 * --yes}, refuses with exit 5 before anything is changed, so a script never destroys by accident.
 */
final class Consent {
  private Consent() {}

  /**
   * Prints {@code plan}, then returns when the operator agreed.
   *
   * @param what what is about to happen, for the question and the refusal ("delete backup
   *     ds/20261122T100000Z")
   * @throws RedisOpsException refused (5) otherwise
   */
  static void obtain(CommandContext ctx, Mixins.Yes yes, String what, List<String> plan) {
    PrintWriter report = ctx.report();
    plan.forEach(report::println);
    report.flush();
    if (yes.yes) {
      return;
    }
    Console console = Terminals.console();
    if (console == null) {
      throw RedisOpsException.refused(
          "'"
              + what
              + "' needs confirmation and there is no terminal to ask on;"
              + " nothing was changed; rerun with --yes to go ahead (the plan is above)");
    }
    ctx.out().flush();
    if (!accepts(console.readLine("Go ahead with %s? [y/N] ", what))) {
      throw RedisOpsException.refused("'" + what + "' not confirmed; nothing was changed");
    }
  }

  /**
   * Only an explicit yes: {@code y} or {@code yes} in any case, blanks around ignored. Null (end of
   * input) is no.
   */
  static boolean accepts(String answer) {
    if (answer == null) {
      return false;
    }
    String a = answer.trim().toLowerCase(Locale.ROOT);
    return a.equals("y") || a.equals("yes");
  }
}
