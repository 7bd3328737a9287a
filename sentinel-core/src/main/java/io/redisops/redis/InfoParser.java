package io.redisops.redis;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the text of {@code INFO}: {@code key:value} lines, {@code # Section} headers and blank
 * lines ignored.
 */
public final class InfoParser {
  private InfoParser() {}

  public static Map<String, String> parse(String info) {
    Map<String, String> out = new LinkedHashMap<>();
    if (info == null) {
      return out;
    }
    for (String line : info.split("\r?\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        out.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return out;
  }

  /** Parses a {@code db0:keys=10,expires=2,avg_ttl=0} value into its fields. */
  public static Map<String, Long> keyspaceEntry(String value) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        try {
          out.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
        } catch (NumberFormatException ignored) {
          // fields that are not numbers are of no use here
        }
      }
    }
    return out;
  }
}
