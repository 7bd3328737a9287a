package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The package phase generates, from the picocli model, a bash completion script ({@code
 * target/redis-ops-completion.bash}) and one man page per command ({@code
 * target/man/redis-ops-<command>[-<subcommand>].1}): every command of the model has its page, and
 * the completion offers every subcommand.
 */
class CompletionAndManPagesIT {
  private static final Path TARGET = RedisOpsProcess.moduleDir().resolve("target");

  @TempDir Path tmp;

  @Test
  void everyCommandHasAManPage() throws Exception {
    List<CommandLine> all = new ArrayList<>();
    collect(Cli.commandLine(), all);
    assertThat(all).hasSizeGreaterThan(15);
    String top = Files.readString(TARGET.resolve("man/redis-ops.1"), StandardCharsets.UTF_8);
    for (CommandLine c : all) {
      String name = c.getCommandSpec().qualifiedName("-");
      Path page = TARGET.resolve("man/" + name + ".1");
      assertThat(page).as("man page of '%s'", c.getCommandSpec().qualifiedName()).isRegularFile();
      String roff = Files.readString(page, StandardCharsets.UTF_8);
      assertThat(roff)
          .contains(
              ".TH \"" + name.toUpperCase(java.util.Locale.ROOT).replace("-", "\\-") + "\" \"1\"");
      if (c.getParent() != null && c.getParent().getParent() == null) {
        assertThat(top).as("redis-ops(1) names its command %s", name).contains(c.getCommandName());
      }
    }
  }

  @Test
  void bashCompletionOffersEveryCommandAndSubcommand() throws Exception {
    Path script = TARGET.resolve("redis-ops-completion.bash");
    String text = Files.readString(script, StandardCharsets.UTF_8);
    CommandLine root = Cli.commandLine();
    List<String> top = new ArrayList<>(root.getSubcommands().keySet());
    assertThat(complete(script, "redis-ops ")).containsAll(top);
    for (CommandLine sub : root.getSubcommands().values()) {
      for (String name : sub.getSubcommands().keySet()) {
        assertThat(text).contains(name);
        assertThat(complete(script, "redis-ops " + sub.getCommandName() + " ")).contains(name);
      }
    }
    assertThat(complete(script, "redis-ops backup --ti")).containsExactly("--tier");
  }

  /**
   * What bash offers after {@code line} (which ends where the cursor is), with the generated script
   * loaded.
   */
  private List<String> complete(Path script, String line) throws Exception {
    String words = line.endsWith(" ") ? line + "''" : line;
    String program =
        "source '"
            + script
            + "'\n"
            + "COMP_LINE=\""
            + line
            + "\"; COMP_POINT=${#COMP_LINE}\n"
            + "COMP_WORDS=("
            + words
            + "); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
            + "_complete_redis-ops redis-ops\n"
            + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    Path out = tmp.resolve("complete.out");
    Process p =
        new ProcessBuilder("bash", "-c", program)
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start(); // compopt complains outside a real completion
    try {
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
    List<String> offered = new ArrayList<>();
    for (String l : Files.readAllLines(out)) {
      if (!l.isBlank()) {
        offered.add(l.strip());
      }
    }
    return offered;
  }

  private static void collect(CommandLine c, List<CommandLine> into) {
    into.add(c);
    c.getSubcommands().values().stream().distinct().forEach(s -> collect(s, into));
  }
}
