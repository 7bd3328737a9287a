package io.redisops.backup.snapshot;

import io.redisops.error.RedisOpsException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The line a master sends before the RDB payload of a {@code SYNC}: {@code $<length>\r\n} when the
 * snapshot was written to disk first, {@code $EOF:<40 bytes>\r\n} for a diskless transfer whose end
 * is marked by the same 40 bytes.
 *
 * @param declaredLength payload length, or -1 when diskless
 * @param eofMark the 40-byte end mark when diskless, else null
 */
@SuppressWarnings(
    "ArrayRecordComponent") // never compared or hashed; the mark is read once, where it arrived
record RdbBulkHeader(long declaredLength, byte[] eofMark) {

  static final int EOF_MARK_LENGTH = 40;
  private static final String EOF_PREFIX = "EOF:";
  private static final int MAX_LINE = 1024;

  boolean diskless() {
    return eofMark != null;
  }

  /**
   * Reads the header, skipping the {@code \n} keep-alives the master sends every second while it
   * prepares the snapshot (they are what keep a slow BGSAVE from hitting the read timeout).
   *
   * @param in the replication stream right after {@code SYNC} was sent; left positioned on the
   *     first payload byte
   * @param server the server as shown in messages (no password)
   * @throws RedisOpsException when the master answers with an error (see {@link RedisErrorReplies})
   *     or something that is not a bulk header
   * @throws EOFException when the connection ends before the header is complete
   */
  static RdbBulkHeader read(InputStream in, String server) throws IOException {
    int first;
    do {
      first = in.read();
    } while (first == '\n');
    if (first == -1) {
      throw new EOFException(
          "Redis at " + server + " closed the replication stream before sending the snapshot");
    }
    String line = readLine(in, server);
    if (first == '-') {
      throw RedisErrorReplies.toException(server, "SYNC", line);
    }
    if (first != '$') {
      throw RedisOpsException.failed(
          "Redis at "
              + server
              + " answered SYNC with '"
              + printable((char) first + line)
              + "' instead of a snapshot; is it a Redis server?",
          null);
    }
    if (line.startsWith(EOF_PREFIX)) {
      byte[] mark = line.substring(EOF_PREFIX.length()).getBytes(StandardCharsets.ISO_8859_1);
      if (mark.length != EOF_MARK_LENGTH) {
        throw RedisOpsException.failed(
            "Redis at "
                + server
                + " sent a diskless snapshot header with a "
                + mark.length
                + "-byte end mark instead of "
                + EOF_MARK_LENGTH,
            null);
      }
      return new RdbBulkHeader(-1, mark);
    }
    try {
      long length = Long.parseLong(line);
      if (length < 0) {
        throw new NumberFormatException();
      }
      return new RdbBulkHeader(length, null);
    } catch (NumberFormatException e) {
      throw RedisOpsException.failed(
          "Redis at "
              + server
              + " sent a snapshot header '$"
              + printable(line)
              + "' that is neither a length nor EOF:<mark>",
          null);
    }
  }

  /**
   * One line up to CRLF, without it; bounded so that a peer that is not Redis cannot make us buffer
   * forever.
   */
  static String readLine(InputStream in, String server) throws IOException {
    return io.redisops.redis.RespConnection.readLine(in, server, MAX_LINE);
  }

  private static String printable(String s) {
    String cut = s.length() > 60 ? s.substring(0, 60) + "..." : s;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RdbBulkHeader h
        && h.declaredLength == declaredLength
        && Arrays.equals(h.eofMark, eofMark);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(declaredLength) * 31 + Arrays.hashCode(eofMark);
  }

  @Override
  public String toString() {
    return diskless() ? "$EOF:<mark>" : "$" + declaredLength;
  }
}
