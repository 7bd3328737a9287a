package io.redisops.recovery.restore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A Redis configuration file, read and edited the way the restore needs: one directive changed in
 * place, every other byte kept. Why not {@code CONFIG REWRITE}: it also rewrites save lines and
 * adds {@code user default ...} lines (docs/redis-facts.md, "Starting and stopping Redis"), which
 * is not ours to change. {@code include} files are not followed.
 */
public final class RedisConfigFile {
  private final Path path;

  public RedisConfigFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  /**
   * The value of the last {@code name} directive of the file (quotes removed), as Redis reads it:
   * the last wins.
   */
  public Optional<String> get(String name) throws IOException {
    String value = null;
    for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
      String[] kv = directive(line);
      if (kv != null && kv[0].equals(name)) {
        value = kv[1];
      }
    }
    return Optional.ofNullable(value);
  }

  /**
   * Sets {@code name value} by changing the last {@code name} line alone (or appending a line when
   * there is none), written atomically (temporary file, fsync, rename) with the file's permissions
   * and owner kept.
   */
  public void set(String name, String value) throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(path, StandardCharsets.UTF_8));
    int last = -1;
    for (int i = 0; i < lines.size(); i++) {
      String[] kv = directive(lines.get(i));
      if (kv != null && kv[0].equals(name)) {
        last = i;
      }
    }
    if (last >= 0) {
      String line = lines.get(last);
      int start = 0;
      while (start < line.length() && Character.isWhitespace(line.charAt(start))) {
        start++;
      }
      int keyEnd = start;
      while (keyEnd < line.length() && !Character.isWhitespace(line.charAt(keyEnd))) {
        keyEnd++;
      }
      // Keep the indentation and the spelling of the key; replace only the value.
      lines.set(last, line.substring(0, keyEnd) + " " + value);
    } else {
      lines.add(name + " " + value);
    }
    byte[] text = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    replaceAtomically(path, text);
  }

  /** Replaces {@code target}'s content atomically, keeping its permissions and owner. */
  static void replaceAtomically(Path target, byte[] content) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".redis-ops-tmp");
    PosixFileAttributes attrs = Files.readAttributes(target, PosixFileAttributes.class);
    Files.write(tmp, content);
    PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
    view.setPermissions(attrs.permissions());
    try {
      view.setOwner(attrs.owner());
      view.setGroup(attrs.group());
    } catch (IOException e) {
      // Not root: the file stays ours, which is what the running user could write anyway.
    }
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** {key (lower case), value without quotes}, or null for comments and blank lines. */
  static String[] directive(String line) {
    String s = line.strip();
    if (s.isEmpty() || s.startsWith("#")) {
      return null;
    }
    int sp = 0;
    while (sp < s.length() && !Character.isWhitespace(s.charAt(sp))) {
      sp++;
    }
    String key = s.substring(0, sp).toLowerCase(Locale.ROOT);
    String value = s.substring(sp).strip();
    if (value.length() >= 2
        && ((value.startsWith("\"") && value.endsWith("\""))
            || (value.startsWith("'") && value.endsWith("'")))) {
      value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    return new String[] {key, value};
  }
}
