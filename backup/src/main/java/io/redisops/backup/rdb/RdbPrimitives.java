package io.redisops.backup.rdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * RDB length and string encodings (rdb.c rdbLoadLen / rdbGenericLoadStringObject) over a {@link
 * RdbByteSource}.
 */
final class RdbPrimitives {

  private static final int ENC_INT8 = 0;
  private static final int ENC_INT16 = 1;
  private static final int ENC_INT32 = 2;
  private static final int ENC_LZF = 3;

  /** AUX values longer than this are not kept in memory (none of Redis' own come close). */
  static final int MAX_RETAINED_STRING = 64 * 1024;

  private final RdbByteSource src;

  RdbPrimitives(RdbByteSource src) {
    this.src = src;
  }

  /**
   * A plain length (6-, 14-, 32- or 64-bit) as an unsigned 64-bit value: Redis also stores IDs and
   * counters this way, and -1 (e.g. a consumer group's unknown entries-read) comes back as
   * 0xffffffffffffffff. Special string encodings are a format error here.
   */
  long readLength() throws IOException {
    long start = src.position();
    int first = src.readU8();
    switch (first >>> 6) {
      case 0:
        return first & 0x3f;
      case 1:
        return ((first & 0x3fL) << 8) | src.readU8();
      case 2:
        return readWideLength(first, start);
      default:
        throw new RdbFormatException(
            String.format(
                "corrupt RDB: expected a length at byte %d but found the string encoding 0x%02x",
                start, first));
    }
  }

  /**
   * A length that counts elements or bytes, so it cannot exceed Long.MAX_VALUE in any real
   * snapshot.
   */
  long readCount() throws IOException {
    long start = src.position();
    long n = readLength();
    return checkCount(n, start);
  }

  private static long checkCount(long n, long start) throws RdbFormatException {
    if (n < 0) {
      throw new RdbFormatException(
          String.format(
              "corrupt RDB: impossible element or byte count 0x%016x at byte %d", n, start));
    }
    return n;
  }

  private long readWideLength(int first, long start) throws IOException {
    if (first == 0x80) {
      return src.readUIntBE();
    } else if (first == 0x81) {
      return src.readLongBE();
    }
    throw new RdbFormatException(
        String.format("corrupt RDB: unknown length encoding 0x%02x at byte %d", first, start));
  }

  /** Consumes one string object without materialising it. */
  void skipString() throws IOException {
    skipStringReturningLength();
  }

  /** Blobs up to this size are materialised and validated; see {@link #readBlob(long)}. */
  static final int MAX_VALIDATED_BLOB = 64 << 20;

  private byte[] scratch = new byte[64 * 1024];
  private byte[] lzfScratch = new byte[16 * 1024];
  private int blobLength;

  /**
   * The buffer filled by the last successful {@link #readBlob(long)} (reused: valid until the next
   * call).
   */
  byte[] blob() {
    return scratch;
  }

  /** Length of the blob read by the last successful {@link #readBlob(long)}. */
  int blobLength() {
    return blobLength;
  }

  /**
   * Reads one string object into a reused buffer (LZF strings decompressed), for encodings that
   * must be validated. A blob longer than {@code maxLen} is consumed without being kept, to bound
   * memory.
   *
   * @return true when the blob is in {@link #blob()}, false when it was too large and only skipped
   */
  boolean readBlob(long maxLen) throws IOException {
    long start = src.position();
    int first = src.readU8();
    long len = plainLength(first, start);
    if (len < 0) {
      return readEncodedBlob(first, start, maxLen);
    }
    if (len > maxLen) {
      src.skip(len);
      return false;
    }
    int n = (int) len;
    ensureScratch(n);
    src.read(scratch, 0, n);
    blobLength = n;
    return true;
  }

  private boolean readEncodedBlob(int first, long start, long maxLen) throws IOException {
    int enc = first & 0x3f;
    if (enc == ENC_LZF) {
      long clen = readCount();
      long len = readCount();
      if (clen > maxLen || len > maxLen) {
        src.skip(clen);
        return false;
      }
      if (lzfScratch.length < clen) {
        lzfScratch = new byte[(int) Math.max(clen, Math.min(2L * lzfScratch.length, maxLen))];
      }
      src.read(lzfScratch, 0, (int) clen);
      ensureScratch((int) len);
      Lzf.decompress(lzfScratch, (int) clen, scratch, (int) len, start);
      blobLength = (int) len;
      return true;
    }
    // An integer-encoded string (what Redis does with a short numeric string): render it as text.
    String text =
        switch (enc) {
          case ENC_INT8 -> Long.toString((byte) src.readU8());
          case ENC_INT16 -> Long.toString((short) (src.readU8() | (src.readU8() << 8)));
          case ENC_INT32 ->
              Long.toString(
                  src.readU8() | (src.readU8() << 8) | (src.readU8() << 16) | (src.readU8() << 24));
          default -> throw unknownStringEncoding(first, start);
        };
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, scratch, 0, b.length);
    blobLength = b.length;
    return true;
  }

  private void ensureScratch(int n) {
    if (scratch.length < n) {
      scratch = new byte[(int) Math.min(MAX_VALIDATED_BLOB, Math.max(n, 2L * scratch.length))];
    }
  }

  /**
   * The length of a plain string whose first byte is {@code first}, or -1 when it has a special
   * encoding.
   */
  private long plainLength(int first, long start) throws IOException {
    return switch (first >>> 6) {
      case 0 -> first & 0x3f;
      case 1 -> ((first & 0x3f) << 8) | src.readU8();
      case 2 -> checkCount(readWideLength(first, start), start);
      default -> -1;
    };
  }

  /**
   * Length of the next string object, consumed whole; the caller wants only its size (stream node
   * keys).
   */
  long skipStringReturningLength() throws IOException {
    long start = src.position();
    int first = src.readU8();
    long len = plainLength(first, start);
    if (len < 0) {
      switch (first & 0x3f) {
        case ENC_INT8 -> {
          src.skip(1);
          return -1;
        }
        case ENC_INT16 -> {
          src.skip(2);
          return -1;
        }
        case ENC_INT32 -> {
          src.skip(4);
          return -1;
        }
        case ENC_LZF -> {
          long clen = readCount();
          long ulen = readCount();
          src.skip(clen);
          return ulen;
        }
        default -> throw unknownStringEncoding(first, start);
      }
    }
    src.skip(len);
    return len;
  }

  /**
   * Reads one string object as text (UTF-8). Used for AUX fields only, which are small; a value
   * longer than {@link #MAX_RETAINED_STRING} is consumed but replaced by a placeholder so memory
   * stays bounded.
   */
  String readString() throws IOException {
    long start = src.position();
    int first = src.readU8();
    long len = plainLength(first, start);
    if (len < 0) {
      return readEncodedString(first, start);
    }
    return readRaw(len);
  }

  private String readEncodedString(int first, long start) throws IOException {
    switch (first & 0x3f) {
      case ENC_INT8:
        return Long.toString((byte) src.readU8());
      case ENC_INT16:
        return Long.toString((short) (src.readU8() | (src.readU8() << 8)));
      case ENC_INT32:
        return Long.toString(
            src.readU8() | (src.readU8() << 8) | (src.readU8() << 16) | (src.readU8() << 24));
      case ENC_LZF:
        long clen = readCount();
        long len = readCount();
        if (clen > MAX_RETAINED_STRING || len > MAX_RETAINED_STRING) {
          src.skip(clen);
          return placeholder(len);
        }
        byte[] c = new byte[(int) clen];
        src.read(c, 0, c.length);
        return new String(Lzf.decompress(c, (int) len, start), StandardCharsets.UTF_8);
      default:
        throw unknownStringEncoding(first, start);
    }
  }

  private String readRaw(long len) throws IOException {
    if (len > MAX_RETAINED_STRING) {
      src.skip(len);
      return placeholder(len);
    }
    byte[] b = new byte[(int) len];
    src.read(b, 0, b.length);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String placeholder(long len) {
    return "<" + len + " bytes, not retained>";
  }

  private static RdbFormatException unknownStringEncoding(int first, long start) {
    return new RdbFormatException(
        String.format("corrupt RDB: unknown string encoding 0x%02x at byte %d", first, start));
  }
}
