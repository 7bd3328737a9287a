package io.redisops.recovery.pitr;

import io.redisops.backup.archive.Segment;
import io.redisops.backup.catalog.Manifest;
import io.redisops.error.RedisOpsException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cuts the archived stream that continues a base at an instant and writes what is kept as the
 * command part of an AOF ({@code .incr.aof}):
 *
 * <ol>
 *   <li>the stream bytes before the base's offset are skipped (annotations do not count), the
 *       {@code SELECT}s among them followed from the first segment's {@code startDb};
 *   <li>the output starts with {@code SELECT <db>}: the base's {@code repl-stream-db}, else the db
 *       the stream had selected at the base's offset, else 0 (Redis emits a {@code SELECT} before
 *       the next write when it knows none, src/rdb.c {@code rdbPopulateSaveInfo});
 *   <li>commands are copied until the first {@code #TS} annotation after the last included second
 *       ({@link CutRule}); a {@code MULTI} whose {@code EXEC} lies after the cut is left out whole;
 *   <li>replication chatter is dropped: {@code PING} and {@code REPLCONF} (the master's keep-alive
 *       and {@code GETACK}), and {@code PUBLISH}/{@code SPUBLISH}, which a master sends to its
 *       replicas but never writes to its own AOF;
 *   <li>{@code #TS} annotations are kept, so the result reads like Redis' own AOF with {@code
 *       aof-timestamp-enabled yes}.
 * </ol>
 *
 * A command's second is that of the last annotation before it; before the first one, the receive
 * second of its segment's first byte ({@link Segment#firstReceived()}). Each segment read is read
 * to its end, so that the {@link io.redisops.backup.archive.ArchiveReader} checks its SHA-256 (exit
 * 3 on a mismatch). Commands are held in memory one at a time (a {@code MULTI} block whole).
 */
public final class StreamCut {
  private static final Set<String> CHATTER = Set.of("PING", "REPLCONF", "PUBLISH", "SPUBLISH");
  private static final int KEEP = 64;

  /** Opens a segment's verified content. */
  @FunctionalInterface
  public interface Opener {
    InputStream open(Segment segment) throws IOException;
  }

  /**
   * What the cut keeps.
   *
   * @param firstSegment id of the first segment read
   * @param lastSegment id of the last segment read
   * @param segmentsRead how many were read
   * @param commands commands kept (MULTI and EXEC not counted)
   * @param lastCommand the last command kept as an operator reads it ({@code SET w:17}), or null
   * @param lastCommandSecond its second (unix seconds), or -1
   * @param cutOffset the stream offset where the kept part ends (equal to the base's offset when
   *     nothing is kept)
   * @param db the database selected first
   * @param endedByTime true when an annotation after the instant ended it, false when the archive
   *     chain ended first
   * @param dropped chatter commands left out
   */
  public record Result(
      String firstSegment,
      String lastSegment,
      int segmentsRead,
      long commands,
      String lastCommand,
      long lastCommandSecond,
      long cutOffset,
      int db,
      boolean endedByTime,
      long dropped) {}

  private final List<Segment> chain;
  private final Opener opener;
  private int index = -1;
  private InputStream in;
  private boolean startOfSegment;

  private StreamCut(List<Segment> chain, Opener opener) {
    this.chain = chain;
    this.opener = opener;
  }

  /**
   * @param chain contiguous segments of one timeline, the first holding the base's offset
   * @param base the base's stream position
   * @param lastSecond the last second whose commands are kept ({@link CutRule#lastSecond})
   * @param out where the AOF commands go, or null to only learn the result ({@code --dry-run})
   */
  public static Result cut(
      List<Segment> chain,
      Opener opener,
      Manifest.StreamPosition base,
      long lastSecond,
      OutputStream out)
      throws IOException {
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("no segments");
    }
    StreamCut c = new StreamCut(chain, opener);
    try {
      return c.run(base, lastSecond, out == null ? OutputStream.nullOutputStream() : out);
    } catch (RedisOpsException e) {
      throw c.explain(e);
    } finally {
      c.close();
    }
  }

  private Result run(Manifest.StreamPosition base, long lastSecond, OutputStream out)
      throws IOException {
    Segment first = chain.get(0);
    long offset = first.startOffset();
    int db = first.startDb();
    long second = first.firstReceived().getEpochSecond();
    nextSegment();
    // 1. skip to the base's offset
    while (offset < base.offset()) {
      Item item = read();
      if (item == null) {
        throw integrity(
            "the archive ends at offset " + offset + " before the base's offset " + base.offset());
      }
      if (item.annotation) {
        second = Math.max(second, item.timestamp(second));
        continue;
      }
      if (item.began) {
        second = Math.max(second, chain.get(index).firstReceived().getEpochSecond());
      }
      if (offset + item.raw.length > base.offset()) {
        throw integrity(
            "the base's offset "
                + base.offset()
                + " falls inside a command of the archived stream (offset "
                + offset
                + ")");
      }
      offset += item.raw.length;
      if (item.name.equals("SELECT") && item.firstArg != null) {
        db = parseDb(item.firstArg, db);
      }
    }
    int startDb = base.db() >= 0 ? base.db() : db >= 0 ? db : 0;
    out.write(select(startDb));
    // 2. copy up to the cut
    long kept = 0;
    long dropped = 0;
    String last = null;
    long lastSec = -1;
    long cutOffset = offset;
    boolean byTime = second > lastSecond;
    ByteArrayOutputStream block = null; // a MULTI not yet closed by its EXEC
    long blockCommands = 0;
    String blockLast = null;
    while (!byTime) {
      Item item = read();
      if (item == null) {
        break;
      }
      if (item.began && !item.annotation) {
        long implied = chain.get(index).firstReceived().getEpochSecond();
        if (implied > second) {
          second = implied;
          if (second > lastSecond) {
            byTime = true;
            break;
          }
        }
      }
      if (item.annotation) {
        long ts = item.timestamp(-1);
        if (ts > lastSecond) {
          byTime = true;
          break;
        }
        if (ts >= 0) {
          second = Math.max(second, ts);
        }
        (block != null ? block : out).write(item.raw);
        continue;
      }
      offset += item.raw.length;
      if (CHATTER.contains(item.name)) {
        dropped++;
        if (block == null) {
          cutOffset = offset;
        }
        continue;
      }
      if (item.name.equals("MULTI") && block == null) {
        block = new ByteArrayOutputStream();
        block.write(item.raw);
        blockCommands = 0;
        blockLast = null;
        continue;
      }
      if (block != null) {
        block.write(item.raw);
        if (item.name.equals("EXEC")) {
          block.writeTo(out);
          block = null;
          kept += blockCommands;
          if (blockLast != null) {
            last = blockLast;
            lastSec = second;
          }
          cutOffset = offset;
        } else {
          blockCommands++;
          blockLast = item.describe();
        }
        continue;
      }
      out.write(item.raw);
      kept++;
      last = item.describe();
      lastSec = second;
      cutOffset = offset;
    }
    // the segment being read is read to its end: the reader checks its SHA-256 there
    if (in != null) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    out.flush();
    return new Result(
        first.id(),
        chain.get(Math.max(index, 0)).id(),
        index + 1,
        kept,
        last,
        lastSec,
        cutOffset,
        startDb,
        byTime,
        dropped);
  }

  /**
   * A stream that does not parse is most likely a damaged segment: its checksum, checked when it is
   * read to its end, says so better than the byte that did not parse.
   */
  private RedisOpsException explain(RedisOpsException e) {
    if (e.exitCode() != io.redisops.error.ExitCode.INTEGRITY || in == null) {
      return e;
    }
    String id = chain.get(index).id();
    try {
      in.transferTo(OutputStream.nullOutputStream());
    } catch (RedisOpsException checksum) {
      return checksum;
    } catch (IOException ignored) {
      // the parse error is the report
    }
    return RedisOpsException.integrity(e.getMessage() + " (segment " + id + ")");
  }

  private static int parseDb(String arg, int fallback) {
    try {
      return Integer.parseInt(arg);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  static byte[] select(int db) {
    String n = Integer.toString(db);
    return ("*2\r\n$6\r\nSELECT\r\n$" + n.length() + "\r\n" + n + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  // ---- reading items across segment boundaries ----

  /** A command (raw RESP bytes) or an annotation line. */
  private static final class Item {
    final boolean annotation;
    final byte[] raw;
    final String name;
    final String firstArg;
    final int argc;
    final boolean began;

    Item(boolean annotation, byte[] raw, String name, String firstArg, int argc, boolean began) {
      this.annotation = annotation;
      this.raw = raw;
      this.name = name;
      this.firstArg = firstArg;
      this.argc = argc;
      this.began = began;
    }

    long timestamp(long otherwise) {
      if (!annotation || !name.startsWith("TS:")) {
        return otherwise;
      }
      try {
        return Long.parseLong(name.substring(3).trim());
      } catch (NumberFormatException e) {
        return otherwise;
      }
    }

    String describe() {
      return firstArg != null && argc >= 2 ? name + " " + firstArg : name;
    }
  }

  private boolean nextSegment() throws IOException {
    close();
    if (index + 1 >= chain.size()) {
      in = null;
      return false;
    }
    index++;
    in = new BufferedInputStream(opener.open(chain.get(index)), 1 << 16);
    startOfSegment = true;
    return true;
  }

  private void close() throws IOException {
    if (in != null) {
      in.close();
      in = null;
    }
  }

  /** The next byte of the chain, -1 at its end. */
  private int next() throws IOException {
    while (in != null) {
      int b = in.read();
      if (b >= 0) {
        return b;
      }
      if (!nextSegment()) {
        return -1;
      }
    }
    return -1;
  }

  /** The next item, or null at the end of the chain or before a torn last command. */
  private Item read() throws IOException {
    int b = next();
    if (b < 0) {
      return null;
    }
    boolean began = startOfSegment;
    startOfSegment = false;
    ByteArrayOutputStream raw = new ByteArrayOutputStream(64);
    raw.write(b);
    if (b == '#') {
      String line = line(raw, '#');
      startOfSegment = false;
      return line == null
          ? null
          : new Item(true, raw.toByteArray(), line.substring(1), null, 0, began);
    }
    if (b != '*') {
      throw integrity("unexpected byte 0x" + Integer.toHexString(b) + " in the archived stream");
    }
    String head = line(raw, '*');
    if (head == null) {
      return null;
    }
    int argc = number(head.substring(1));
    String name = null;
    String firstArg = null;
    for (int i = 0; i < argc; i++) {
      int d = next();
      if (d < 0) {
        return null;
      }
      raw.write(d);
      if (d != '$') {
        throw integrity("a bulk string was expected in the archived stream");
      }
      String len = line(raw, '$');
      if (len == null) {
        return null;
      }
      int n = number(len.substring(1));
      byte[] arg = new byte[n];
      int got = 0;
      while (got < n) {
        int r = readInto(arg, got, n - got);
        if (r < 0) {
          return null;
        }
        got += r;
      }
      raw.write(arg);
      int cr = next();
      int lf = next();
      if (cr < 0 || lf < 0) {
        return null;
      }
      if (cr != '\r' || lf != '\n') {
        throw integrity("a bulk string of the archived stream does not end with CRLF");
      }
      raw.write(cr);
      raw.write(lf);
      if (i == 0) {
        name = new String(arg, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
      } else if (i == 1 && n <= KEEP) {
        firstArg = new String(arg, StandardCharsets.UTF_8);
      }
    }
    // an item that ended in this segment was not the first of the next one
    startOfSegment = false;
    return new Item(false, raw.toByteArray(), name == null ? "" : name, firstArg, argc, began);
  }

  private int readInto(byte[] buf, int off, int len) throws IOException {
    while (in != null) {
      int r = in.read(buf, off, len);
      if (r > 0) {
        return r;
      }
      if (r < 0 && !nextSegment()) {
        return -1;
      }
    }
    return -1;
  }

  /** The rest of a CRLF-terminated line (also appended to raw), without CRLF; null at the end. */
  private String line(ByteArrayOutputStream raw, char first) throws IOException {
    StringBuilder s = new StringBuilder();
    s.append(first);
    while (true) {
      int c = next();
      if (c < 0) {
        return null;
      }
      raw.write(c);
      if (c == '\r') {
        int lf = next();
        if (lf < 0) {
          return null;
        }
        raw.write(lf);
        if (lf != '\n') {
          throw integrity("a line of the archived stream does not end with CRLF");
        }
        return s.toString();
      }
      if (s.length() > 1024) {
        throw integrity("a line of the archived stream is longer than 1024 bytes");
      }
      s.append((char) c);
    }
  }

  private static int number(String s) {
    try {
      int n = Integer.parseInt(s);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw integrity("bad length '" + s + "' in the archived stream");
    }
  }

  private static RedisOpsException integrity(String what) {
    return RedisOpsException.integrity("archived stream: " + what);
  }
}
