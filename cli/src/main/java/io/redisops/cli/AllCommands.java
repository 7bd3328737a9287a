package io.redisops.cli;

import java.util.ArrayList;
import java.util.Arrays;
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

  /**
   * Every command's name and class, in the order of the usage: the {@link Command} annotation's
   * subcommands above, written out once more (CliModelTest checks that the two agree) so that
   * finding the named commands reads no annotation: reading every command's took about a tenth of
   * the start of a command such as {@code list}. A command has no alias.
   */
  static final List<Map.Entry<String, Class<?>>> NAMES =
      List.of(
          Map.entry("backup", BackupCommand.class),
          Map.entry("list", ListCommand.class),
          Map.entry("show", ShowCommand.class),
          Map.entry("drill", DrillCommand.class),
          Map.entry("verify", VerifyCommand.class),
          Map.entry("prune", PruneCommand.class),
          Map.entry("restore", RestoreCommand.class),
          Map.entry("daemon", DaemonCommand.class),
          Map.entry("aof", AofCommand.class),
          Map.entry("push", PushCommand.class),
          Map.entry("fetch", FetchCommand.class),
          Map.entry("delete", DeleteCommand.class),
          Map.entry("sentinel", SentinelCommand.class),
          Map.entry("import", ImportCommand.class),
          Map.entry("check", CheckCommand.class),
          Map.entry("info", InfoCommand.class),
          Map.entry("archive", ArchiveCommand.class));

  /**
   * The commands whose name appears anywhere among the arguments, in the usage's order. Any token
   * is taken (also one that is an option's value): a command added for nothing changes no parse,
   * and a command missing from the model would. Empty when none is named: then the whole model is
   * needed (the usage, the message for a misspelt command).
   */
  static List<Class<?>> named(String... args) {
    List<String> tokens = Arrays.asList(args);
    List<Class<?>> out = new ArrayList<>();
    for (Map.Entry<String, Class<?>> e : NAMES) {
      if (tokens.contains(e.getKey())) {
        out.add(e.getValue());
      }
    }
    return out;
  }
}
