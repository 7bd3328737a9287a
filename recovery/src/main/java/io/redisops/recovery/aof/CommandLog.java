package io.redisops.recovery.aof;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the command part of one AOF file holds, read with {@link RespReader}: how many commands,
 * where the last intact one ends and when it was written ({@code #TS} lines), and whether the file
 * ends with flushes.
 */
public final class CommandLog {
  private static final Set<String> FLUSHES = Set.of("FLUSHALL", "FLUSHDB");

  private CommandLog() {}

  /**
   * A read of the file from {@code from} up to {@code limit} (or the first malformed byte).
   *
   * @param commands complete commands read
   * @param end offset after the last complete item (annotations included)
   * @param lastCommandEnd offset after the last complete command (== from when none)
   * @param lastTimestamp the last {@code #TS} time read, or null (it stamps the commands after it)
   * @param malformedAt offset of the first item that is not well-formed, or -1
   * @param problem what is wrong there, or null
   * @param trailingFlush the flushes the file ends with, or null when it does not end with one
   * @param lastFlush the last flush command in the file, or null
   * @param commandsAfterLastFlush commands after {@code lastFlush} other than SELECT and other
   *     flushes
   */
  public record Scan(
      long commands,
      long end,
      long lastCommandEnd,
      Instant lastTimestamp,
      long malformedAt,
      String problem,
      TrailingFlush trailingFlush,
      String lastFlush,
      long commandsAfterLastFlush) {}

  /**
   * The flush commands at the end of a file.
   *
   * @param cutAt where the file would be cut to remove them (their {@code #TS} lines, SELECTs and a
   *     MULTI/EXEC around them included)
   * @param commands what is removed, as operators read them ({@code FLUSHALL ASYNC}, {@code SELECT
   *     1}, {@code FLUSHDB})
   * @param bytes how many bytes are removed
   */
  public record TrailingFlush(long cutAt, List<String> commands, long bytes) {}

  /**
   * What follows a damage point: everything from there to the end is lost by a repair.
   *
   * @param bytes bytes from the damage point to the end of the file
   * @param commands the damaged command plus every complete command found after it (found by
   *     re-synchronising on RESP framing: a command start is a line that begins with {@code *} and
   *     parses as a whole command)
   */
  public record Loss(long bytes, long commands) {}

  /**
   * Reads {@code file} from {@code from} to {@code limit} (exclusive; use Long.MAX_VALUE for the
   * end).
   */
  public static Scan scan(Path file, long from, long limit) {
    try (FileBytes b = new FileBytes(file)) {
      return scan(b, from, Math.min(limit, b.size()));
    }
  }

  /** Counts what a cut at {@code at} loses (see {@link Loss}). */
  public static Loss lossFrom(Path file, long at) {
    try (FileBytes b = new FileBytes(file)) {
      long size = b.size();
      if (at >= size) {
        return new Loss(0, 0);
      }
      long commands = 0;
      long p = at;
      boolean broken = true; // the item at the damage point is, by definition, not intact
      while (p < size) {
        if (!broken) {
          try {
            RespReader.Item item = RespReader.read(b, p);
            if (item.isCommand()) {
              commands++;
            }
            p = item.end();
            continue;
          } catch (RespReader.Malformed m) {
            broken = true;
          }
        }
        commands++; // the damaged item
        p = resync(b, p + 1, size);
        broken = false;
      }
      return new Loss(size - at, commands);
    }
  }

  /**
   * The next offset at or after {@code p} where a line starts with a complete, well-formed item.
   */
  private static long resync(FileBytes b, long p, long size) {
    for (long q = p; q < size; q++) {
      int c = b.get(q);
      if ((c == '*' || c == '#') && b.get(q - 1) == '\n') {
        try {
          RespReader.read(b, q);
          return q;
        } catch (RespReader.Malformed ignored) {
          // not a command start after all: keep looking
        }
      }
    }
    return size;
  }

  private static Scan scan(FileBytes b, long from, long limit) {
    long commands = 0;
    long p = from;
    long lastCommandEnd = from;
    long lastTs = -1;
    long malformedAt = -1;
    String problem = null;
    long annotationsStart = -1;
    // The candidate trailing run of flushes: where it starts and what it holds; reset by any other
    // write.
    long runStart = -1;
    List<String> run = new ArrayList<>();
    boolean runHasFlush = false;
    // An open MULTI: where it starts, what it holds, whether it holds only flushes and SELECTs.
    long multiStart = -1;
    List<String> multi = new ArrayList<>();
    boolean multiOnlyFlushes = true;
    String lastFlush = null;
    long afterLastFlush = 0;
    while (p < limit) {
      RespReader.Item item;
      try {
        item = RespReader.read(b, p);
      } catch (RespReader.Malformed m) {
        malformedAt = p;
        problem = m.getMessage() + " at offset " + m.offset;
        break;
      }
      if (item.end() > limit) {
        malformedAt = p;
        problem = "item crosses offset " + limit;
        break;
      }
      p = item.end();
      if (!item.isCommand()) {
        if (item.timestamp() >= 0) {
          lastTs = item.timestamp();
        }
        if (annotationsStart < 0) {
          annotationsStart = item.start();
        }
        continue;
      }
      long unitStart = annotationsStart >= 0 ? annotationsStart : item.start();
      annotationsStart = -1;
      commands++;
      lastCommandEnd = item.end();
      String name = item.name();
      boolean flush = FLUSHES.contains(name);
      if (flush) {
        lastFlush = item.describe();
        afterLastFlush = 0;
      } else if (lastFlush != null
          && !name.equals("SELECT")
          && !name.equals("MULTI")
          && !name.equals("EXEC")) {
        afterLastFlush++;
      }
      if (multiStart >= 0) {
        if (name.equals("EXEC")) {
          boolean flushGroup =
              multiOnlyFlushes && multi.stream().anyMatch(c -> FLUSHES.contains(c.split(" ")[0]));
          if (flushGroup) {
            if (runStart < 0) {
              runStart = multiStart;
            }
            run.add("MULTI");
            run.addAll(multi);
            run.add("EXEC");
            runHasFlush = true;
          } else {
            runStart = -1;
            run.clear();
            runHasFlush = false;
          }
          multiStart = -1;
          multi.clear();
        } else {
          multi.add(item.describe());
          multiOnlyFlushes &= flush || name.equals("SELECT");
        }
        continue;
      }
      if (name.equals("MULTI")) {
        multiStart = unitStart;
        multiOnlyFlushes = true;
        continue;
      }
      if (flush) {
        if (runStart < 0) {
          runStart = unitStart;
        }
        run.add(item.describe());
        runHasFlush = true;
      } else if (name.equals("SELECT") && runStart >= 0) {
        run.add(item.describe());
      } else {
        runStart = -1;
        run.clear();
        runHasFlush = false;
      }
    }
    TrailingFlush trailing = null;
    if (runHasFlush && multiStart < 0) {
      trailing = new TrailingFlush(runStart, List.copyOf(run), p - runStart);
    }
    return new Scan(
        commands,
        p,
        lastCommandEnd,
        lastTs < 0 ? null : Instant.ofEpochSecond(lastTs),
        malformedAt,
        problem,
        trailing,
        lastFlush,
        lastFlush == null ? -1 : afterLastFlush);
  }
}
