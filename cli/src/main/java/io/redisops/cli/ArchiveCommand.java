package io.redisops.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code redis-ops archive status}: the point-in-time archive. This class only groups them. */
@Command(
    name = "archive",
    description = "The point-in-time archive of the replication stream: what it covers.",
    subcommands = {ArchiveStatusCommand.class})
final class ArchiveCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
