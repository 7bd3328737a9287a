package io.redisops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Looks at a local repository folder from outside, as an operator would. */
final class RepoTree {
  static final ObjectMapper JSON = new ObjectMapper();

  private RepoTree() {}

  /**
   * Every entry under {@code root} (relative path -> SHA-256 for files, "dir" for folders). The
   * dataset lock file holds the PID of the last process that took the lock, so only its presence is
   * recorded, not its content.
   */
  static Map<String, String> fingerprint(Path root) {
    Map<String, String> out = new TreeMap<>();
    if (!Files.exists(root)) {
      return out;
    }
    for (Path p : walk(root)) {
      String rel = root.relativize(p).toString();
      if (Files.isDirectory(p)) {
        out.put(rel + "/", "dir");
      } else if (p.getFileName().toString().equals(".lock")) {
        out.put(rel, "lock file");
      } else {
        out.put(rel, sha256(p));
      }
    }
    return out;
  }

  static List<Path> walk(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Temporary files of interrupted writes ({@code .name.part-xxxx}). */
  static List<Path> partFiles(Path root) {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(
              p ->
                  p.getFileName().toString().startsWith(".")
                      && p.getFileName().toString().contains(".part-"))
          .toList();
    } catch (IOException | UncheckedIOException e) {
      // a temporary file may vanish while we walk: look again next poll
      return List.of();
    }
  }

  /** Backup folders ({@code <root>/<dataset>/<id>/}) of one dataset. */
  static List<Path> backupFolders(Path root, String dataset) {
    Path ds = root.resolve(dataset);
    if (!Files.isDirectory(ds)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(ds)) {
      return s.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + e.getMessage() + "\n" + text, e);
    }
  }

  /** How many JSON documents {@code text} holds (a command under --json must print exactly one). */
  static int jsonDocuments(String text) {
    try (com.fasterxml.jackson.databind.MappingIterator<JsonNode> docs =
        JSON.readerFor(JsonNode.class).readValues(text)) {
      return docs.readAll().size();
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + e.getMessage() + "\n" + text, e);
    }
  }

  static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Flips every bit of the byte at {@code offset}. */
  static void flipByte(Path file, long offset) {
    try {
      byte[] b = Files.readAllBytes(file);
      b[Math.toIntExact(offset)] ^= (byte) 0xFF;
      Files.write(file, b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code INFO keyspace} as db -> keys. */
  static Map<Integer, Long> keyspace(String info) {
    Map<Integer, Long> out = new TreeMap<>();
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("db")) {
        int colon = line.indexOf(':');
        int db = Integer.parseInt(line.substring(2, colon));
        for (String kv : line.substring(colon + 1).split(",")) {
          if (kv.startsWith("keys=")) {
            out.put(db, Long.parseLong(kv.substring(5)));
          }
        }
      }
    }
    return out;
  }
}
