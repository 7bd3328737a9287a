package io.redisops.cli;

import java.io.Console;

/** Whether there is a terminal to ask on. */
final class Terminals {
  private Terminals() {}

  /**
   * The console when this process runs on a terminal, else null. {@code System.console()} alone is
   * not enough from JDK 22 on: it returns a console even when input and output are redirected, and
   * {@code Console.isTerminal()} (JDK 22) tells; it is called reflectively because the build
   * targets Java 17.
   */
  @SuppressWarnings(
      "SystemConsoleNull") // the JDK 22+ case is what the isTerminal() call below handles
  static Console console() {
    Console console = System.console();
    if (console == null) {
      return null;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console) ? console : null;
    } catch (NoSuchMethodException e) {
      return console; // before JDK 22 a console exists only on a terminal
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot ask the console whether it is a terminal", e);
    }
  }
}
