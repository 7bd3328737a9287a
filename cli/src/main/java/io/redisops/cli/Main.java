package io.redisops.cli;

/** Entry point of the {@code redis-ops} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Warmup.startFor(args);
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (tests call this in-process). */
  public static int run(String... args) {
    return Cli.commandLine(args).execute(args);
  }
}
