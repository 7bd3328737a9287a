package io.redisops.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses sizes given on the command line: {@code 512}, {@code 512B}, {@code 4K}/{@code 4KB}/{@code
 * 4KiB}, {@code 1MiB}, {@code 2G}. Units are binary.
 */
final class ByteSizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b)?");

  private ByteSizes() {}

  /**
   * @throws IllegalArgumentException saying what was expected (a size, or a smaller one)
   */
  static long parse(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("a size: 512, 4KiB, 1MiB, ...");
    }
    int shift =
        switch (m.group(2)) {
          case "k" -> 10;
          case "m" -> 20;
          case "g" -> 30;
          case "t" -> 40;
          default -> 0;
        };
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("a size below 8 EiB");
    }
  }
}
