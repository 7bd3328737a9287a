package io.redisops.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * {@code redis-ops [global options] <command>}: the global options (docs/commands.md). The commands
 * are added by {@link Cli}: all of them ({@link AllCommands}), or only those a command line names.
 */
@Command(
    name = "redis-ops",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    scope = ScopeType.INHERIT,
    usageHelpAutoWidth = true,
    description = "Backup, persistence and recovery for Redis.",
    footer = {
      "",
      "Exit codes: 0 done, 1 failed, 2 bad usage/input/configuration, 3 integrity problem, 4 nothing matched,"
          + " 5 refused for safety."
    })
public class RedisOpsCommand implements java.util.concurrent.Callable<Integer> {

  /** The global options: every command sees them through {@link CommandContext}. */
  @Mixin GlobalOptions global = new GlobalOptions();

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    // "redis-ops" alone is a usage error (a script that forgot its command must not look
    // successful): show what it
    // can do on stderr.
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "no command given; choose one of the commands above");
  }

  int verbosity() {
    return global.verbosity();
  }

  boolean isDaemon(ParseResult parseResult) {
    return parseResult.subcommand() != null
        && "daemon".equals(parseResult.subcommand().commandSpec().name());
  }
}
