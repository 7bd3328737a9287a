package io.redisops.recovery.aof;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads one item of an AOF's command part: a RESP command ({@code *N\r\n} then N times {@code
 * $LEN\r\n<bytes>\r\n}) or an annotation line ({@code #TS:<unix seconds>\r\n} and other {@code #}
 * lines Redis 7 writes and skips on load). Hand-written because no pinned library parses a RESP
 * <em>file</em> with byte offsets, and offsets are what a repair needs. Only the command name and
 * its first argument are kept: they are all the analysis needs.
 */
final class RespReader {
  /**
   * Arguments longer than this are not kept (command names and FLUSHALL/SELECT arguments are
   * short).
   */
  private static final int KEEP = 64;

  private RespReader() {}

  /** The kind of an item. */
  enum Kind {
    COMMAND,
    ANNOTATION
  }

  /**
   * One item of the file.
   *
   * @param start offset of its first byte
   * @param end offset just after its last byte
   * @param name upper-cased command name, or the annotation text without {@code #}
   * @param firstArg the first argument, upper-cased (null when absent or long)
   * @param argc number of RESP arguments, the name included (0 for an annotation)
   */
  record Item(Kind kind, long start, long end, String name, String firstArg, int argc) {
    boolean isCommand() {
      return kind == Kind.COMMAND;
    }

    /** Unix seconds of a {@code #TS:} annotation, or -1. */
    long timestamp() {
      if (kind != Kind.ANNOTATION || !name.startsWith("TS:")) {
        return -1;
      }
      try {
        return Long.parseLong(name.substring(3));
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    /** The command as an operator reads it: {@code FLUSHALL ASYNC}, {@code SET}. */
    String describe() {
      return firstArg != null && argc == 2 ? name + " " + firstArg : name;
    }
  }

  /** The bytes at an offset are not a complete, well-formed item. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;
    final long offset;
    final boolean truncated;

    Malformed(long offset, boolean truncated, String message) {
      super(message, null, false, false);
      this.offset = offset;
      this.truncated = truncated;
    }
  }

  /** Reads the item that starts at {@code pos}. */
  static Item read(FileBytes b, long pos) throws Malformed {
    int first = b.get(pos);
    if (first == '#') {
      long p = pos + 1;
      StringBuilder text = new StringBuilder();
      while (true) {
        int c = b.get(p);
        if (c < 0) {
          throw new Malformed(pos, true, "annotation not ended");
        }
        if (c == '\n') {
          break;
        }
        if (text.length() < 256) {
          text.append((char) c);
        }
        p++;
      }
      String t = text.toString();
      if (t.endsWith("\r")) {
        t = t.substring(0, t.length() - 1);
      }
      return new Item(Kind.ANNOTATION, pos, p + 1, t, null, 0);
    }
    if (first < 0) {
      throw new Malformed(pos, true, "end of file");
    }
    if (first != '*') {
      throw new Malformed(pos, false, "expected '*', got " + show(first));
    }
    long[] at = {pos + 1};
    long argc = number(b, at);
    if (argc < 1) {
      throw new Malformed(at[0], false, "bad argument count " + argc);
    }
    String name = null;
    String firstArg = null;
    for (long i = 0; i < argc; i++) {
      int c = b.get(at[0]);
      if (c < 0) {
        throw new Malformed(at[0], true, "end of file in a command");
      }
      if (c != '$') {
        throw new Malformed(at[0], false, "expected '$', got " + show(c));
      }
      at[0]++;
      long len = number(b, at);
      if (len < 0) {
        throw new Malformed(at[0], false, "bad length " + len);
      }
      long dataStart = at[0];
      if (dataStart + len + 2 > b.size()) {
        throw new Malformed(dataStart, true, "end of file in an argument");
      }
      if (i < 2 && len <= KEEP) {
        byte[] bytes = new byte[(int) len];
        for (int k = 0; k < len; k++) {
          bytes[k] = (byte) b.get(dataStart + k);
        }
        String s = new String(bytes, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
        if (i == 0) {
          name = s;
        } else {
          firstArg = s;
        }
      }
      long after = dataStart + len;
      if (b.get(after) != '\r' || b.get(after + 1) != '\n') {
        throw new Malformed(after, false, "argument not followed by \\r\\n");
      }
      at[0] = after + 2;
    }
    return new Item(
        Kind.COMMAND,
        pos,
        at[0],
        name == null ? "?" : name,
        firstArg,
        (int) Math.min(argc, Integer.MAX_VALUE));
  }

  /** Reads decimal digits up to {@code \r\n}; advances {@code at[0]} past the line end. */
  private static long number(FileBytes b, long[] at) throws Malformed {
    long p = at[0];
    long value = 0;
    int digits = 0;
    boolean negative = false;
    if (b.get(p) == '-') {
      negative = true;
      p++;
    }
    while (true) {
      int c = b.get(p);
      if (c < 0) {
        throw new Malformed(p, true, "end of file in a number");
      }
      if (c == '\r') {
        break;
      }
      if (c < '0' || c > '9' || digits > 18) {
        throw new Malformed(p, false, "expected a digit, got " + show(c));
      }
      value = value * 10 + (c - '0');
      digits++;
      p++;
    }
    if (b.get(p + 1) < 0) {
      throw new Malformed(p, true, "end of file in a number");
    }
    if (digits == 0 || b.get(p + 1) != '\n') {
      throw new Malformed(p, false, "bad number");
    }
    at[0] = p + 2;
    return negative ? -value : value;
  }

  private static String show(int c) {
    return c >= 32 && c < 127 ? "'" + (char) c + "'" : String.format("0x%02x", c);
  }
}
