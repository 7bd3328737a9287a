package io.redisops.backup.rdb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * CRC-64/Jones exactly as Redis computes the RDB trailer: reflected polynomial {@code
 * 0x95ac9329ac4bc9b5}, initial value 0, no final xor. Check value: {@code crc64("123456789") ==
 * 0xe9c6d914c4b8d9caL}.
 *
 * <p>Table-driven with slicing-by-8 (eight bytes per step), because it runs over multi-gigabyte
 * snapshots. Not thread-safe; one instance per stream.
 */
public final class Crc64 {

  /** The reflected form of the Jones polynomial, as used by Redis' crc64.c. */
  static final long POLY_REFLECTED = 0x95ac9329ac4bc9b5L;

  /** TABLES[k][b]: CRC contribution of byte b followed by k zero bytes. */
  private static final long[][] TABLES = buildTables();

  /** Reads 8 bytes as one little-endian long: the reflected CRC consumes the lowest byte first. */
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private long crc;

  /** Feeds one byte (the low 8 bits of {@code b}). */
  public void update(int b) {
    crc = TABLES[0][(int) (crc ^ b) & 0xff] ^ (crc >>> 8);
  }

  /**
   * Feeds {@code len} bytes of {@code b} starting at {@code off}.
   *
   * @throws IndexOutOfBoundsException if the range is outside the array
   */
  public void update(byte[] b, int off, int len) {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    long c = crc;
    int i = off;
    int end = off + len;
    final long[] t0 = TABLES[0], t1 = TABLES[1], t2 = TABLES[2], t3 = TABLES[3];
    final long[] t4 = TABLES[4], t5 = TABLES[5], t6 = TABLES[6], t7 = TABLES[7];
    while (end - i >= 8) {
      c ^= (long) LONG_LE.get(b, i);
      c =
          t7[(int) c & 0xff]
              ^ t6[(int) (c >>> 8) & 0xff]
              ^ t5[(int) (c >>> 16) & 0xff]
              ^ t4[(int) (c >>> 24) & 0xff]
              ^ t3[(int) (c >>> 32) & 0xff]
              ^ t2[(int) (c >>> 40) & 0xff]
              ^ t1[(int) (c >>> 48) & 0xff]
              ^ t0[(int) (c >>> 56)];
      i += 8;
    }
    while (i < end) {
      c = t0[(int) (c ^ b[i++]) & 0xff] ^ (c >>> 8);
    }
    crc = c;
  }

  /** The CRC of every byte fed since creation or the last {@link #reset()}. */
  public long value() {
    return crc;
  }

  /** Starts over, as if newly created. */
  public void reset() {
    crc = 0;
  }

  /** Convenience: the CRC of a whole array. */
  public static long of(byte[] b) {
    Crc64 c = new Crc64();
    c.update(b, 0, b.length);
    return c.value();
  }

  private static long[][] buildTables() {
    long[][] t = new long[8][256];
    for (int n = 0; n < 256; n++) {
      long c = n;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
      }
      t[0][n] = c;
    }
    for (int n = 0; n < 256; n++) {
      long c = t[0][n];
      for (int k = 1; k < 8; k++) {
        c = t[0][(int) c & 0xff] ^ (c >>> 8);
        t[k][n] = c;
      }
    }
    return t;
  }
}
