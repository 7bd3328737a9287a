package io.redisops.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.catalog.ManifestCodec;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/**
 * Builds the picocli command line with redis-ops's error contract: one line on stderr, the
 * documented exit code, and with {@code --json} also one JSON document {@code {"error": ...,
 * "exit_code": ...}} on stdout, so a script that parses stdout always gets exactly one document.
 */
final class Cli {
  private Cli() {}

  /** The command line with every command (usage, completion, man pages, tests). */
  static CommandLine commandLine() {
    return configure(new CommandLine(new AllCommands()));
  }

  /**
   * The command line for these arguments: only the commands they name, which parses them exactly as
   * {@link #commandLine()} does and starts faster (see {@link AllCommands}).
   */
  static CommandLine commandLine(String... args) {
    List<Class<?>> named = AllCommands.named(args);
    if (named.isEmpty()) {
      return commandLine();
    }
    CommandLine cl = new CommandLine(new RedisOpsCommand());
    for (Class<?> command : named) {
      cl.addSubcommand(command);
    }
    return configure(cl);
  }

  private static CommandLine configure(CommandLine cl) {
    Converters.register(cl);
    cl.setExecutionStrategy(
        parseResult -> {
          RedisOpsCommand root = parseResult.commandSpec().commandLine().getCommand();
          Logging.configure(root.verbosity(), root.isDaemon(parseResult));
          if (root.global.json && root.isDaemon(parseResult)) {
            // The daemon runs until stopped and logs on stderr: there is no single document to
            // print.
            throw new CommandLine.ParameterException(
                parseResult.subcommand().commandSpec().commandLine(),
                "daemon does not"
                    + " take --json (it runs until stopped and logs on stderr); use /metrics and /health for machine-readable status");
          }
          return new CommandLine.RunLast().execute(parseResult);
        });
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine c = ex.getCommandLine();
          String cmd = c.getCommandSpec().qualifiedName();
          // --json may not have been parsed yet when the parse failed: look at the raw arguments.
          boolean json = Arrays.asList(args).contains("--json");
          String badValue = Converters.message(ex);
          return report(
              c,
              json,
              "redis-ops: "
                  + (badValue != null
                      ? badValue
                      : oneLine(ex.getMessage()) + " (see '" + cmd + " --help')"),
              ExitCode.USAGE,
              null,
              0);
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          RedisOpsCommand root = parseResult.commandSpec().root().commandLine().getCommand();
          boolean json = root.global.json;
          int v = root.verbosity();
          AccessDeniedException denied = deniedIn(ex);
          if (denied != null
              && !(ex instanceof RedisOpsException e
                  && e.exitCode() != ExitCode.FAILED
                  && e.exitCode() != ExitCode.USAGE)) {
            // Permission problems are a setting to fix (owner or mode of a folder), not a failed
            // run, and never "empty".
            return report(
                commandLine,
                json,
                "redis-ops: permission denied on "
                    + denied.getFile()
                    + "; give the user running redis-ops access to it (its owner and mode; for the repository see --repo or"
                    + " repository.path)",
                ExitCode.USAGE,
                ex,
                v);
          }
          if (ex instanceof ReportedFailure e) {
            // the command printed its result (and its one JSON document): only the line and the
            // code are left
            return report(
                commandLine, false, "redis-ops: " + oneLine(e.getMessage()), e.exitCode(), null, v);
          }
          if (ex instanceof RedisOpsException e) {
            return report(
                commandLine,
                json,
                "redis-ops: " + oneLine(e.getMessage()),
                e.exitCode(),
                e.getCause(),
                v);
          }
          if (ex instanceof java.io.IOException) {
            // Storage drivers name the object and the reason in their messages: an operation that
            // failed (exit 1).
            return report(
                commandLine,
                json,
                "redis-ops: " + oneLine(ex.getMessage()),
                ExitCode.FAILED,
                ex,
                v);
          }
          return report(
              commandLine,
              json,
              "redis-ops: unexpected error: "
                  + oneLine(ex.getClass().getSimpleName() + ": " + ex.getMessage())
                  + (v > 0 ? "" : "; run with -v for details"),
              ExitCode.FAILED,
              ex,
              v);
        });
    return cl;
  }

  /** The {@code --json} document of an error. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record ErrorJson(String error, int exitCode) {}

  /**
   * Prints the error line on stderr (and the JSON document on stdout with --json); returns the exit
   * code.
   */
  private static int report(
      CommandLine c, boolean json, String line, ExitCode code, Throwable trace, int verbosity) {
    PrintWriter err = c.getErr();
    err.println(line);
    if (verbosity > 0 && trace != null) {
      trace.printStackTrace(err);
    }
    err.flush();
    if (json) {
      ErrorJson doc =
          new ErrorJson(
              line.startsWith("redis-ops: ") ? line.substring("redis-ops: ".length()) : line,
              code.code());
      try {
        c.getOut()
            .println(
                ManifestCodec.mapper()
                    .writer()
                    .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(doc));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      c.getOut().flush();
    }
    return code.code();
  }

  private static AccessDeniedException deniedIn(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof AccessDeniedException a) {
        return a;
      }
      if (c instanceof java.io.UncheckedIOException u
          && u.getCause() instanceof AccessDeniedException a) {
        return a;
      }
    }
    return null;
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", "; ").trim();
  }
}
