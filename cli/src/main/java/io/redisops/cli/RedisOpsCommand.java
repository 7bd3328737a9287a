package io.redisops.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/** {@code redis-ops [global options] <command>}: the global options and the commands (docs/commands.md). */
@Command(name = "redis-ops", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    scope = ScopeType.INHERIT, usageHelpAutoWidth = true,
    description = "Backup, persistence and recovery for Redis.",
    subcommands = {BackupCommand.class, ListCommand.class, ShowCommand.class, VerifyCommand.class, PruneCommand.class,
        RestoreCommand.class, DaemonCommand.class, AofCommand.class, PushCommand.class, FetchCommand.class,
        DeleteCommand.class, SentinelCommand.class, ImportCommand.class},
    footer = {"", "Exit codes: 0 done, 1 failed, 2 bad usage/input/configuration, 3 integrity problem, 4 nothing matched,"
        + " 5 refused for safety."})
public final class RedisOpsCommand implements java.util.concurrent.Callable<Integer> {

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "YAML configuration file (every key optional).")
  String config;

  @Option(names = "--dataset", paramLabel = "NAME", scope = ScopeType.INHERIT,
      description = "Dataset to work on (default: the only one configured, else <host>-<port> of --redis).")
  String dataset;

  @Option(names = "--redis", paramLabel = "URI", scope = ScopeType.INHERIT,
      description = "redis://[user:password@]host:port or rediss:// (default: redis://127.0.0.1:6379).")
  String redis;

  @Option(names = "--tls-ca-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "PEM certificate authority to trust for rediss:// (default: the JVM's trust store).")
  String tlsCaFile;

  @Option(names = "--repo", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "Local repository folder (default: /var/lib/redis-ops/backups).")
  String repo;

  @Option(names = "--offsite", paramLabel = "URI", scope = ScopeType.INHERIT,
      description = "Off-site repository s3://bucket/prefix (overrides offsite.uri).")
  String offsite;

  @Option(names = "--json", scope = ScopeType.INHERIT,
      description = "Print exactly one JSON document on stdout, errors included ('sentinel watch': one object per"
          + " line, a stream); logs and progress go to stderr. Not for 'daemon'.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
      description = "More log output on stderr (repeat for debug); stack traces on errors.")
  boolean[] verbose = new boolean[0];

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    // "redis-ops" alone is a usage error (a script that forgot its command must not look successful): show what it
    // can do on stderr.
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "no command given; choose one of the commands above");
  }

  int verbosity() {
    return verbose == null ? 0 : verbose.length;
  }

  boolean isDaemon(ParseResult parseResult) {
    return parseResult.subcommand() != null && "daemon".equals(parseResult.subcommand().commandSpec().name());
  }
}
