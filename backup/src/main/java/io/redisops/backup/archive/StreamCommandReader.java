package io.redisops.backup.archive;

import io.redisops.error.RedisOpsException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Cuts a master's replication stream into whole commands. The master sends every command as a RESP
 * array of bulk strings ({@code *N\r\n$len\r\narg\r\n...}); each {@link Command} holds the exact
 * bytes received, so the stream's offsets are the sum of their lengths. Not thread-safe.
 */
final class StreamCommandReader {
  private static final int CHUNK = 64 * 1024;

  /** Longest header line ({@code *N} or {@code $len}) accepted. */
  private static final int MAX_LINE = 32;

  /** Longest argument decoded into {@link Command#name} or {@link Command#arg1}. */
  private static final int MAX_DECODED = 64;

  /**
   * One command as received.
   *
   * @param raw its bytes, exactly as they came (the array header included)
   * @param length how many bytes of {@code raw} are the command
   * @param name the command name in lower case
   * @param arg1 its first argument when short (SELECT's database, REPLCONF's subcommand), else null
   */
  @SuppressWarnings("ArrayRecordComponent") // a buffer handed over once, never compared
  record Command(byte[] raw, int length, String name, String arg1) {}

  private final InputStream in;
  private final String server;
  private final byte[] buf = new byte[CHUNK];
  private int pos;
  private int limit;

  StreamCommandReader(InputStream in, String server) {
    this.in = in;
    this.server = server;
  }

  /** The next command; blocks until it is complete. */
  Command next() throws IOException {
    Out out = new Out();
    int first = readByte(out);
    if (first != '*') {
      throw protocol("a byte 0x" + Integer.toHexString(first) + " where a command should start");
    }
    long argc = readNumber(out);
    if (argc < 1 || argc > 1024 * 1024) {
      throw protocol("a command of " + argc + " arguments");
    }
    String name = null;
    String arg1 = null;
    for (long i = 0; i < argc; i++) {
      int dollar = readByte(out);
      if (dollar != '$') {
        throw protocol(
            "a byte 0x" + Integer.toHexString(dollar) + " where an argument should start");
      }
      long len = readNumber(out);
      if (len < 0 || len > 1L << 32) {
        throw protocol("an argument of " + len + " bytes");
      }
      int at = out.length;
      copy(out, len + 2);
      if (out.bytes[out.length - 2] != '\r' || out.bytes[out.length - 1] != '\n') {
        throw protocol("an argument not followed by CRLF");
      }
      if (i < 2 && len <= MAX_DECODED) {
        String s = new String(out.bytes, at, (int) len, StandardCharsets.UTF_8);
        if (i == 0) {
          name = s.toLowerCase(Locale.ROOT);
        } else {
          arg1 = s;
        }
      }
    }
    return new Command(out.bytes, out.length, name == null ? "" : name, arg1);
  }

  private int readByte(Out out) throws IOException {
    if (pos == limit) {
      fill();
    }
    int b = buf[pos++] & 0xff;
    out.append(b);
    return b;
  }

  /** Digits up to CRLF. */
  private long readNumber(Out out) throws IOException {
    long n = 0;
    boolean negative = false;
    int digits = 0;
    while (true) {
      int c = readByte(out);
      if (c == '\r') {
        int lf = readByte(out);
        if (lf != '\n' || digits == 0) {
          throw protocol("a malformed length line");
        }
        return negative ? -n : n;
      }
      if (c == '-' && digits == 0 && !negative) {
        negative = true;
        continue;
      }
      if (c < '0' || c > '9' || ++digits > MAX_LINE) {
        throw protocol("a malformed length line");
      }
      n = n * 10 + (c - '0');
    }
  }

  private void copy(Out out, long n) throws IOException {
    long left = n;
    while (left > 0) {
      if (pos == limit) {
        fill();
      }
      int k = (int) Math.min(left, limit - pos);
      out.append(buf, pos, k);
      pos += k;
      left -= k;
    }
  }

  private void fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    if (n == -1) {
      throw new EOFException("Redis at " + server + " closed the replication stream");
    }
    pos = 0;
    limit = n;
  }

  private RedisOpsException protocol(String what) {
    return RedisOpsException.failed(
        "Redis at "
            + server
            + " sent "
            + what
            + " in its replication stream; is it a Redis server?");
  }

  /** A growable byte buffer (no synchronisation, unlike ByteArrayOutputStream). */
  private static final class Out {
    byte[] bytes = new byte[128];
    int length;

    void append(int b) {
      ensure(1);
      bytes[length++] = (byte) b;
    }

    void append(byte[] b, int off, int n) {
      ensure(n);
      System.arraycopy(b, off, bytes, length, n);
      length += n;
    }

    private void ensure(int n) {
      if (length + n > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
      }
    }
  }
}
