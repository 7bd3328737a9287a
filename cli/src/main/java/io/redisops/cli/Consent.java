package io.redisops.cli;

import io.redisops.error.RedisOpsException;
import java.io.Console;
import java.util.Locale;

/**
 * The consent rule of destructive commands (docs/commands.md, "Consent"): {@code --yes} goes ahead; on a terminal the
 * operator is asked; with no terminal and no {@code --yes} the command refuses (exit 5), so a script never destroys by
 * accident.
 */
final class Consent {
  private Consent() {}

  /** Returns when the operator agreed. @throws RedisOpsException refused (5) otherwise */
  static void obtain(CommandContext ctx, String what, boolean yes) {
    if (yes) {
      return;
    }
    Console console = Terminals.console();
    if (console == null) {
      throw RedisOpsException.refused("'" + what + "' needs confirmation and there is no terminal to ask on;"
          + " nothing was changed; rerun with --yes to go ahead (or --dry-run to see the plan)");
    }
    ctx.out().flush();
    String answer = console.readLine("Go ahead with %s? [y/N]: ", what);
    if (answer == null || !(answer.trim().toLowerCase(Locale.ROOT).equals("y")
        || answer.trim().toLowerCase(Locale.ROOT).equals("yes"))) {
      throw RedisOpsException.refused("'" + what + "' not confirmed; nothing was changed");
    }
  }
}
