package io.redisops.cli;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Builds the picocli command line with redis-ops's error contract: one line on stderr, the documented exit code. */
final class Cli {
  private Cli() {}

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new RedisOpsCommand());
    cl.setExecutionStrategy(parseResult -> {
      RedisOpsCommand root = parseResult.commandSpec().commandLine().getCommand();
      Logging.configure(root.verbosity(), root.isDaemon(parseResult));
      return new CommandLine.RunLast().execute(parseResult);
    });
    cl.setParameterExceptionHandler((ex, args) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      String cmd = ex.getCommandLine().getCommandSpec().qualifiedName();
      err.println("redis-ops: " + oneLine(ex.getMessage()) + " (see '" + cmd + " --help')");
      err.flush();
      return ExitCode.USAGE.code();
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      RedisOpsCommand root = parseResult.commandSpec().root().commandLine().getCommand();
      if (ex instanceof RedisOpsException e) {
        err.println("redis-ops: " + oneLine(e.getMessage()));
        if (root.verbosity() > 0 && e.getCause() != null) {
          e.getCause().printStackTrace(err);
        }
        err.flush();
        return e.exitCode().code();
      }
      if (ex instanceof java.io.IOException) {
        // Storage drivers name the object and the reason in their messages: an operation that failed (exit 1).
        err.println("redis-ops: " + oneLine(ex.getMessage()));
        if (root.verbosity() > 0) {
          ex.printStackTrace(err);
        }
        err.flush();
        return ExitCode.FAILED.code();
      }
      err.println("redis-ops: unexpected error: " + oneLine(ex.getClass().getSimpleName() + ": " + ex.getMessage())
          + (root.verbosity() > 0 ? "" : "; run with -v for details"));
      if (root.verbosity() > 0) {
        ex.printStackTrace(err);
      }
      err.flush();
      return ExitCode.FAILED.code();
    });
    return cl;
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", "; ").trim();
  }
}
