package io.redisops.cli;

import picocli.CommandLine.Option;

/** The options several commands share, declared once and mixed in with {@code @Mixin}. */
final class Mixins {
  private Mixins() {}

  /** {@code --yes} of the destructive commands: skip the question of {@link Consent}. */
  static final class Yes {
    @Option(names = "--yes", description = "Do not ask for consent (needed without a terminal).")
    boolean yes;
  }

  /** {@code --dry-run}: the plan with its concrete values, nothing changed. */
  static final class DryRun {
    @Option(
        names = "--dry-run",
        description = "Show the plan with its concrete values; change nothing.")
    boolean dryRun;
  }

  /** {@code --where local|offsite|all} of {@code list}, {@code verify} and {@code prune}. */
  static final class WhereOption {
    @Option(
        names = "--where",
        paramLabel = "WHERE",
        defaultValue = "local",
        completionCandidates = Converters.WhereValues.class,
        description = "local (default), offsite or all (both).")
    Where where;
  }
}
