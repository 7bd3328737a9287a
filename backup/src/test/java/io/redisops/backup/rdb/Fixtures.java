package io.redisops.backup.rdb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The RDB files written by make-fixtures.sh and the counts Redis reported for them. */
final class Fixtures {

  static final List<String> ALL =
      List.of(
          "empty",
          "strings",
          "collections",
          "lists-small-nodes",
          "streams",
          "expires",
          "function",
          "nochecksum");

  /** Fixtures whose trailer holds a real checksum. */
  static final List<String> CHECKSUMMED =
      ALL.stream().filter(n -> !n.equals("nochecksum")).toList();

  private Fixtures() {}

  static byte[] bytes(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/rdb/" + name + ".rdb")) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** fixture -> db -> {keys, expires}, from expected-counts.txt. */
  static Map<String, Map<Integer, long[]>> expectedCounts() {
    Map<String, Map<Integer, long[]>> all = new HashMap<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                Fixtures.class.getResourceAsStream("/rdb/expected-counts.txt"),
                StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.trim().split("\\s+");
        all.computeIfAbsent(f[0].replace(".rdb", ""), k -> new TreeMap<>())
            .put(Integer.parseInt(f[1]), new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all;
  }
}
