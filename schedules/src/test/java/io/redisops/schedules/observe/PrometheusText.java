package io.redisops.schedules.observe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads samples out of a Prometheus text exposition: {@code name{label="v",...} value} per line.
 */
final class PrometheusText {
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  private PrometheusText() {}

  /** Samples keyed by {@code name{label="v",...}} with labels in the order written. */
  static Map<String, Double> samples(String text) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new AssertionError("not a sample line: " + line);
      }
      StringBuilder key = new StringBuilder(m.group(1));
      if (m.group(2) != null && !m.group(2).isEmpty()) {
        Matcher l = LABEL.matcher(m.group(2));
        key.append('{');
        boolean first = true;
        while (l.find()) {
          key.append(first ? "" : ",")
              .append(l.group(1))
              .append("=\"")
              .append(l.group(2))
              .append('"');
          first = false;
        }
        key.append('}');
      }
      out.put(key.toString(), Double.valueOf(m.group(3)));
    }
    return out;
  }
}
