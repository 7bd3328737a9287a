package io.redisops.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The global options of docs/commands.md (configuration file, dataset, Redis, repository, off-site,
 * {@code --json}, log level), mixed into the root command and inherited by every subcommand: they
 * may come before or after the command's name.
 */
final class GlobalOptions {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "YAML configuration file (every key optional).")
  String config;

  @Option(
      names = "--dataset",
      paramLabel = "NAME",
      scope = ScopeType.INHERIT,
      description =
          "Dataset to work on (default: the only one configured, else <host>-<port> of --redis).")
  String dataset;

  @Option(
      names = "--redis",
      paramLabel = "URI",
      scope = ScopeType.INHERIT,
      description =
          "redis://[user:password@]host:port or rediss:// (default: redis://127.0.0.1:6379).")
  String redis;

  @Option(
      names = "--tls-ca-file",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description =
          "PEM certificate authority to trust for rediss:// (default: the JVM's trust store).")
  String tlsCaFile;

  @Option(
      names = "--repo",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description = "Local repository folder (default: /var/lib/redis-ops/backups).")
  String repo;

  @Option(
      names = "--offsite",
      paramLabel = "URI",
      scope = ScopeType.INHERIT,
      description = "Off-site repository s3://bucket/prefix (overrides offsite.uri).")
  String offsite;

  @Option(
      names = "--json",
      scope = ScopeType.INHERIT,
      description =
          "Print exactly one JSON document on stdout, errors included ('sentinel watch': one object per"
              + " line, a stream); logs and progress go to stderr. Not for 'daemon'.")
  boolean json;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "More log output on stderr (repeat for debug); stack traces on errors.")
  boolean[] verbose = new boolean[0];

  int verbosity() {
    return verbose == null ? 0 : verbose.length;
  }

  /**
   * How the operator calls redis-ops, for advice lines: config file and dataset, never the URI (it
   * may hold a password).
   */
  String commandPrefix() {
    StringBuilder s = new StringBuilder("redis-ops");
    if (config != null) {
      s.append(" -c ").append(config);
    }
    if (dataset != null) {
      s.append(" --dataset ").append(dataset);
    }
    return s.toString();
  }
}
