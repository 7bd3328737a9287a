package io.redisops.recovery.aof;

import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The manifest of a Redis 7 multi-part AOF: one line per file, {@code file NAME seq N type b|h|i},
 * names quoted when they hold spaces. Redis lists the base first, then the incr files in sequence
 * order; history files are left-overs of a rewrite that Redis deletes in the background.
 */
public record AofManifest(Path path, List<AofFile> files) {

  public AofManifest {
    files = List.copyOf(files);
  }

  /**
   * Reads and parses a manifest. @throws RedisOpsException (integrity) for a line that does not
   * parse
   */
  public static AofManifest read(Path manifest) {
    List<String> lines;
    try {
      lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to read AOF manifest '" + manifest + "': " + e.getMessage(), e);
    }
    Path dir = manifest.toAbsolutePath().getParent();
    List<AofFile> files = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      List<String> words = words(line);
      String name = null;
      String type = null;
      long seq = -1;
      for (int w = 0; w + 1 < words.size(); w += 2) {
        switch (words.get(w)) {
          case "file" -> name = words.get(w + 1);
          case "type" -> type = words.get(w + 1);
          case "seq" -> seq = parseSeq(words.get(w + 1), manifest, i);
          default -> {} // later Redis versions may add fields; they do not change which file is
            // which
        }
      }
      if (name == null || type == null || seq < 0 || name.contains("/")) {
        throw RedisOpsException.integrity(
            "AOF manifest '" + manifest + "' line " + (i + 1) + " is malformed: " + line);
      }
      AofFile.Type t =
          switch (type) {
            case "b" -> AofFile.Type.BASE;
            case "i" -> AofFile.Type.INCR;
            case "h" -> AofFile.Type.HISTORY;
            default ->
                throw RedisOpsException.integrity(
                    "AOF manifest '"
                        + manifest
                        + "' line "
                        + (i + 1)
                        + " has unknown type '"
                        + type
                        + "'");
          };
      files.add(new AofFile(name, dir.resolve(name), t, seq));
    }
    return new AofManifest(manifest, files);
  }

  /** The files Redis loads, in load order: the base, then the incr files by sequence. */
  public List<AofFile> loaded() {
    List<AofFile> out =
        new ArrayList<>(files.stream().filter(f -> f.type() == AofFile.Type.BASE).toList());
    files.stream()
        .filter(f -> f.type() == AofFile.Type.INCR)
        .sorted(java.util.Comparator.comparingLong(AofFile::seq))
        .forEach(out::add);
    return out;
  }

  private static long parseSeq(String s, Path manifest, int line) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw RedisOpsException.integrity(
          "AOF manifest '" + manifest + "' line " + (line + 1) + " has a bad seq '" + s + "'");
    }
  }

  /**
   * Splits a manifest line into words; Redis quotes names with spaces like its config file ("..."
   * with \ escapes).
   */
  static List<String> words(String line) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      StringBuilder word = new StringBuilder();
      if (c == '"') {
        i++;
        while (i < line.length() && line.charAt(i) != '"') {
          if (line.charAt(i) == '\\' && i + 1 < line.length()) {
            i++;
          }
          word.append(line.charAt(i++));
        }
        i++;
      } else {
        while (i < line.length() && !Character.isWhitespace(line.charAt(i))) {
          word.append(line.charAt(i++));
        }
      }
      out.add(word.toString());
    }
    return out;
  }
}
