package io.redisops.cli;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code redis-ops} with every command: the usage, completion and man pages are made from this
 * class (cli/pom.xml names it). A command typed by a person gets a model of only the commands it
 * names ({@link #named}): building picocli's model of every command took about half of a command's
 * start-up, and picocli's classes (Java 5 bytecode) cannot go into the class-data-sharing archive
 * that saves most of the rest.
 */
@Command(
    name = "redis-ops",
    subcommands = {
      BackupCommand.class,
      ListCommand.class,
      ShowCommand.class,
      DrillCommand.class,
      VerifyCommand.class,
      PruneCommand.class,
      RestoreCommand.class,
      DaemonCommand.class,
      AofCommand.class,
      PushCommand.class,
      FetchCommand.class,
      DeleteCommand.class,
      SentinelCommand.class,
      ImportCommand.class,
      CheckCommand.class,
      InfoCommand.class,
      ArchiveCommand.class
    })
public final class AllCommands extends RedisOpsCommand {

  /** Every command's class by its name and aliases, in the order of the usage. */
  private static Map<String, Class<?>> byName() {
    Map<String, Class<?>> names = new LinkedHashMap<>();
    for (Class<?> c : AllCommands.class.getAnnotation(Command.class).subcommands()) {
      Command command = c.getAnnotation(Command.class);
      names.put(command.name(), c);
      for (String alias : command.aliases()) {
        names.put(alias, c);
      }
    }
    return names;
  }

  /**
   * The commands whose name appears anywhere among the arguments, in the usage's order. Any token
   * is taken (also one that is an option's value): a command added for nothing changes no parse,
   * and a command missing from the model would. Empty when none is named: then the whole model is
   * needed (the usage, the message for a misspelt command).
   */
  static List<Class<?>> named(String... args) {
    List<String> tokens = Arrays.asList(args);
    return byName().entrySet().stream()
        .filter(e -> tokens.contains(e.getKey()))
        .map(Map.Entry::getValue)
        .distinct()
        .toList();
  }
}
