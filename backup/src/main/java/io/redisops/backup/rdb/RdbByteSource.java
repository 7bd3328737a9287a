package io.redisops.backup.rdb;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * Reads an RDB stream forward only, through one fixed buffer, and keeps the CRC-64 of every byte
 * consumed.
 *
 * <p>The CRC is not updated byte by byte: consumed bytes are folded in in bulk whenever the buffer
 * is refilled (and on {@link #crcOfConsumed()}), which keeps the slicing-by-8 CRC on large runs.
 * Bytes not yet consumed are never folded in, so the parser decides where the checksummed region
 * ends (just before the trailer).
 *
 * <p>Every byte of the underlying stream is read exactly once; nothing is ever skipped on the
 * stream itself, because the caller tees the stream into a compressor and a digest.
 */
final class RdbByteSource {

  private final InputStream in;
  private final byte[] buf;
  private final Crc64 crc = new Crc64();

  /**
   * Describes where the parser is, for truncation messages; evaluated only when an error is thrown.
   */
  private final Supplier<String> where;

  /** Consumed bytes kept out of the CRC at each refill (the size of the trailer). */
  static final int TAIL = 8;

  private int pos;
  private int limit;

  /** Start of the consumed bytes not yet folded into the CRC. */
  private int crcFrom;

  /** Stream offset of buf[0]. */
  private long base;

  private boolean eof;

  RdbByteSource(InputStream in, int bufferSize, Supplier<String> where) {
    if (bufferSize < 64) { // room for the kept tail plus a useful read
      throw new IllegalArgumentException("buffer too small: " + bufferSize);
    }
    this.in = in;
    this.buf = new byte[bufferSize];
    this.where = where;
  }

  /** Stream offset of the next byte to consume. */
  long position() {
    return base + pos;
  }

  /** Bytes read from the underlying stream so far. */
  long bytesRead() {
    return base + limit;
  }

  int readU8() throws IOException {
    if (pos == limit && !fill()) {
      throw truncated();
    }
    return buf[pos++] & 0xff;
  }

  /** Consumes {@code n} bytes without looking at them (they still count for the CRC). */
  void skip(long n) throws IOException {
    while (n > 0) {
      int avail = limit - pos;
      if (avail == 0) {
        if (!fill()) {
          throw truncated();
        }
        continue;
      }
      int take = (int) Math.min(n, avail);
      pos += take;
      n -= take;
    }
  }

  /** Consumes {@code len} bytes into {@code dst}. */
  void read(byte[] dst, int off, int len) throws IOException {
    while (len > 0) {
      int avail = limit - pos;
      if (avail == 0) {
        if (!fill()) {
          throw truncated();
        }
        continue;
      }
      int take = Math.min(len, avail);
      System.arraycopy(buf, pos, dst, off, take);
      pos += take;
      off += take;
      len -= take;
    }
  }

  long readLongLE() throws IOException {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v |= (long) readU8() << (8 * i);
    }
    return v;
  }

  long readUIntBE() throws IOException {
    long v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | readU8();
    }
    return v;
  }

  long readLongBE() throws IOException {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | readU8();
    }
    return v;
  }

  /** The CRC of every byte consumed so far. */
  long crcOfConsumed() {
    crc.update(buf, crcFrom, pos - crcFrom);
    crcFrom = pos;
    return crc.value();
  }

  /**
   * After the whole stream was consumed ({@link #consumeAll()} or a parse that reached its end):
   * folds every byte but the last 8 into the CRC and returns {crc, last 8 bytes as a little-endian
   * long}.
   *
   * @throws RdbFormatException when fewer than 8 consumed bytes are still unfolded (stream too
   *     short)
   */
  long[] crcAndTrailerAtEnd() throws IOException {
    if (!atEnd()) {
      throw new IllegalStateException("not at the end");
    }
    if (pos - crcFrom < TAIL) {
      throw truncated();
    }
    crc.update(buf, crcFrom, pos - TAIL - crcFrom);
    crcFrom = pos - TAIL;
    long v = 0;
    for (int i = 0; i < TAIL; i++) {
      v |= (buf[pos - TAIL + i] & 0xffL) << (8 * i);
    }
    crcFrom = pos; // the trailer is not part of the checksummed region
    return new long[] {crc.value(), v};
  }

  /** True when the stream has no byte left to consume. */
  boolean atEnd() throws IOException {
    return pos == limit && !fill();
  }

  /** Consumes everything left; returns how many bytes that was. */
  long consumeAll() throws IOException {
    long n = 0;
    do {
      n += limit - pos;
      pos = limit;
    } while (fill());
    return n;
  }

  /**
   * Consumes the stream to its end except its last {@code keep} bytes, which stay unconsumed (so
   * they are not in the CRC) and can then be read with {@link #readU8()}. This is the rolling
   * window used when the structure cannot be followed and the trailer can only be found as "the
   * last 8 bytes".
   *
   * @return the last byte consumed before the kept window, or -1 when nothing was consumed at all
   */
  int consumeAllButLast(int keep) throws IOException {
    int lastConsumed = pos > 0 ? buf[pos - 1] & 0xff : -1;
    do {
      if (limit - pos > keep) {
        pos = limit - keep;
        lastConsumed = buf[pos - 1] & 0xff;
      }
    } while (fill());
    return lastConsumed;
  }

  /** Bytes read from the stream and not consumed yet. */
  int buffered() {
    return limit - pos;
  }

  RdbFormatException truncated() {
    return new RdbFormatException(
        "RDB truncated: the stream ended at byte " + bytesRead() + " inside " + where.get());
  }

  /**
   * Folds the consumed bytes into the CRC, except the last {@link #TAIL} of them, moves the bytes
   * kept to the front and reads more. Keeping the last consumed bytes unfolded lets {@link
   * #crcAndTrailerAtEnd()} take "the last 8 bytes" as the trailer even after a parse consumed the
   * whole stream.
   *
   * @return false when the stream is exhausted (nothing new was read)
   */
  private boolean fill() throws IOException {
    int foldEnd = Math.max(crcFrom, pos - TAIL);
    crc.update(buf, crcFrom, foldEnd - crcFrom);
    int keep = limit - foldEnd;
    if (keep > 0 && foldEnd > 0) {
      System.arraycopy(buf, foldEnd, buf, 0, keep);
    }
    base += foldEnd;
    pos -= foldEnd;
    limit = keep;
    crcFrom = 0;
    if (eof) {
      return false;
    }
    int n = in.read(buf, limit, buf.length - limit);
    if (n < 0) {
      eof = true;
      return false;
    }
    // A conforming stream never returns 0 for a non-empty request; if one does, the next call
    // retries.
    limit += n;
    return n > 0 || fill();
  }
}
