package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * A command typed on the command line gets a model of only the commands it names ({@link
 * Cli#commandLine(String...)}, for start-up time): it must parse every command line exactly as the
 * whole model does, and refuse a bad one with the same message.
 */
class CliModelTest {

  static Stream<List<String>> commandLines() {
    return Stream.of(
        List.of("--repo", "/r", "list"),
        List.of("--dataset", "list", "backup", "--tier", "daily"),
        List.of("-v", "--json", "restore", "--at", "11:00", "--yes", "--dry-run"),
        List.of("sentinel", "failover", "--yes"),
        List.of("aof", "repair", "--resume"),
        List.of("--config", "/etc/x.yaml", "verify", "--all"),
        List.of("show", "list"),
        List.of("list", "--where", "moon"),
        List.of("list", "--no-such-option"),
        List.of("lsit"),
        List.of("--repo"),
        List.of());
  }

  @ParameterizedTest
  @MethodSource("commandLines")
  void parsesAsTheWholeModelDoes(List<String> args) {
    String[] argv = args.toArray(String[]::new);
    assertThat(parse(Cli.commandLine(argv), argv)).isEqualTo(parse(Cli.commandLine(), argv));
  }

  @ParameterizedTest
  @MethodSource("commandLines")
  void refusesAsTheWholeModelDoes(List<String> args) {
    String[] argv = args.toArray(String[]::new);
    assertThat(errorOf(Cli.commandLine(argv), argv)).isEqualTo(errorOf(Cli.commandLine(), argv));
  }

  @org.junit.jupiter.api.Test
  void theTableOfNamesIsTheAnnotationsSubcommands() {
    List<String> annotated = new java.util.ArrayList<>();
    for (Class<?> c : AllCommands.class.getAnnotation(CommandLine.Command.class).subcommands()) {
      CommandLine.Command command = c.getAnnotation(CommandLine.Command.class);
      assertThat(command.aliases()).as("aliases of %s (named() knows none)", c).isEmpty();
      annotated.add(command.name() + "=" + c.getName());
    }
    assertThat(AllCommands.NAMES.stream().map(e -> e.getKey() + "=" + e.getValue().getName()))
        .containsExactlyElementsOf(annotated);
  }

  @org.junit.jupiter.api.Test
  void holdsOnlyTheCommandsNamed() {
    assertThat(Cli.commandLine("--repo", "/r", "list").getSubcommands()).containsOnlyKeys("list");
    assertThat(Cli.commandLine("--dataset", "list", "backup").getSubcommands())
        .containsOnlyKeys("backup", "list");
    assertThat(Cli.commandLine("lsit").getSubcommands())
        .containsKeys("backup", "list", "restore", "sentinel", "aof")
        .hasSameSizeAs(Cli.commandLine().getSubcommands());
  }

  /** What a parse matched: each command's name with its options' values, or the parse error. */
  private static String parse(CommandLine cl, String... args) {
    try {
      StringBuilder out = new StringBuilder();
      for (ParseResult pr = cl.parseArgs(args); pr != null; pr = pr.subcommand()) {
        Map<String, Object> values = new TreeMap<>();
        for (OptionSpec o : pr.matchedOptions()) {
          values.put(o.longestName(), valueOf(o));
        }
        out.append(pr.commandSpec().qualifiedName())
            .append(values)
            .append(pr.matchedPositionals().stream().map(CliModelTest::valueOf).toList())
            .append('\n');
      }
      return out.toString();
    } catch (CommandLine.ParameterException e) {
      return "error: " + e.getMessage();
    }
  }

  private static String valueOf(CommandLine.Model.ArgSpec arg) {
    Object value = arg.getValue();
    return java.util.Arrays.deepToString(new Object[] {value});
  }

  /** What the error handler prints for a command line that does not parse (empty when it does). */
  private static String errorOf(CommandLine cl, String... args) {
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    try {
      cl.parseArgs(args);
      return "";
    } catch (CommandLine.ParameterException e) {
      try {
        cl.getParameterExceptionHandler().handleParseException(e, args);
      } catch (Exception handlerFailed) {
        return handlerFailed.toString();
      }
      return err.toString();
    }
  }
}
