package io.redisops.backup.snapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Linux' {@code /proc} tells of a process: whether it is visible, its parent, its children.
 * Reads only world-readable files ({@code /proc/<pid>/stat}, {@code
 * /proc/<pid>/task/<tid>/children}), so it works for a user other than the server's. Anything
 * unreadable is "unknown", never an error: the caller then does without.
 */
final class ProcessTable {
  /** The table of this host. */
  static final ProcessTable HOST = new ProcessTable(Path.of("/proc"));

  private static final Pattern TEMP_RDB = Pattern.compile("temp-(\\d+)\\.rdb");

  private final Path root;

  ProcessTable(Path root) {
    this.root = root;
  }

  /**
   * One process as {@code /proc/<pid>/stat} shows it.
   *
   * @param state R, S, D, Z (exited, not yet reaped), X ...
   * @param startTime clock ticks after boot: with the pid, names the process even if the pid is
   *     reused
   */
  record Stat(long pid, char state, long ppid, long startTime) {
    /** Whether it still runs (a zombie has exited). */
    boolean running() {
      return state != 'Z' && state != 'X' && state != 'x';
    }
  }

  /** Whether {@code pid} is a process this host shows. */
  boolean visible(long pid) {
    return Files.isReadable(root.resolve(Long.toString(pid)).resolve("stat"));
  }

  /** The process {@code pid}, or empty when it is gone or unreadable. */
  Optional<Stat> stat(long pid) {
    String text;
    try {
      text =
          Files.readString(
              root.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    // "pid (comm) S ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    // cutime cstime priority nice threads itrealvalue starttime ...": comm may hold spaces and
    // parentheses, so the fields are counted from the last ')'.
    int close = text.lastIndexOf(')');
    if (close < 0) {
      return Optional.empty();
    }
    String[] f = text.substring(close + 1).trim().split("\\s+");
    if (f.length < 20 || f[0].isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new Stat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[19])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Whether the process {@code started} still runs (not exited, not replaced by a reused pid). */
  boolean running(Stat started) {
    return stat(started.pid())
        .filter(
            s -> s.running() && s.ppid() == started.ppid() && s.startTime() == started.startTime())
        .isPresent();
  }

  /**
   * The processes that may be {@code parent}'s children: what {@code
   * /proc/<parent>/task/<tid>/children} lists, or, where the kernel does not offer that file, the
   * pids named by the {@code temp-<pid>.rdb} files in {@code dir}. The caller checks the parent.
   */
  Set<Long> candidateChildren(long parent, Path dir) {
    Set<Long> pids = new TreeSet<>();
    boolean listed = false;
    Path tasks = root.resolve(Long.toString(parent)).resolve("task");
    try (DirectoryStream<Path> ts = Files.newDirectoryStream(tasks)) {
      for (Path task : ts) {
        Path children = task.resolve("children");
        if (!Files.isReadable(children)) {
          continue;
        }
        listed = true;
        for (String p :
            Files.readString(children, StandardCharsets.US_ASCII).trim().split("\\s+")) {
          if (!p.isEmpty()) {
            pids.add(Long.parseLong(p));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      listed = false;
    }
    if (listed) {
      return pids;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "temp-*.rdb")) {
      for (Path f : files) {
        Matcher m = TEMP_RDB.matcher(f.getFileName().toString());
        if (m.matches()) {
          pids.add(Long.parseLong(m.group(1)));
        }
      }
    } catch (IOException | RuntimeException e) {
      // unreadable: no candidates
    }
    return pids;
  }
}
