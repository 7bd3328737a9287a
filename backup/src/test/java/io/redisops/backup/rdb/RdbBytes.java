package io.redisops.backup.rdb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes small RDB streams by hand for layouts Redis 7.0.15 cannot produce (module values, stream
 * v3, RDB 4...). Encodings follow rdb.c; the trailer is computed with {@link Crc64}, itself checked
 * against real files.
 */
final class RdbBytes {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static RdbBytes valkey(int v) {
    RdbBytes b = new RdbBytes();
    b.raw(String.format("VALKEY%03d", v).getBytes(StandardCharsets.US_ASCII));
    return b;
  }

  static RdbBytes version(int v) {
    RdbBytes b = new RdbBytes();
    b.raw(String.format("REDIS%04d", v).getBytes(StandardCharsets.US_ASCII));
    return b;
  }

  RdbBytes op(int opcode) {
    out.write(opcode);
    return this;
  }

  RdbBytes raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  /** Bytes given as ints 0..255 (readable in tests). */
  RdbBytes raw(int... bytes) {
    for (int b : bytes) {
      out.write(b);
    }
    return this;
  }

  RdbBytes zeros(int n) {
    return raw(new byte[n]);
  }

  RdbBytes len(long n) {
    if (n < 64) {
      out.write((int) n);
    } else if (n < 16384) {
      out.write(0x40 | (int) (n >>> 8));
      out.write((int) n & 0xff);
    } else if (n <= 0xFFFFFFFFL) {
      out.write(0x80);
      for (int i = 3; i >= 0; i--) {
        out.write((int) (n >>> (8 * i)) & 0xff);
      }
    } else {
      out.write(0x81);
      for (int i = 7; i >= 0; i--) {
        out.write((int) (n >>> (8 * i)) & 0xff);
      }
    }
    return this;
  }

  RdbBytes str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    len(b.length);
    return raw(b);
  }

  /** A string object holding {@code bytes} (a blob: listpack, ziplist, intset...). */
  RdbBytes blob(byte[] bytes) {
    len(bytes.length);
    return raw(bytes);
  }

  /**
   * A valid listpack of short string entries (6-bit string encoding) and small integers (7-bit).
   */
  static byte[] listpack(Object... entries) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (Object e : entries) {
      if (e instanceof Integer i && i >= 0 && i < 128) {
        body.write(i);
        body.write(1); // backlen
      } else {
        byte[] s = e.toString().getBytes(StandardCharsets.UTF_8);
        if (s.length > 63) {
          throw new IllegalArgumentException("entry too long for this helper: " + e);
        }
        body.write(0x80 | s.length);
        body.writeBytes(s);
        body.write(1 + s.length); // backlen (< 128)
      }
    }
    int total = 6 + body.size() + 1;
    ByteArrayOutputStream lp = new ByteArrayOutputStream();
    for (int i = 0; i < 4; i++) {
      lp.write((total >>> (8 * i)) & 0xff);
    }
    lp.write(entries.length & 0xff);
    lp.write((entries.length >>> 8) & 0xff);
    lp.writeBytes(body.toByteArray());
    lp.write(0xFF);
    return lp.toByteArray();
  }

  /** Everything written so far (no EOF opcode, no trailer). */
  byte[] bytes() {
    return out.toByteArray();
  }

  /** EOF opcode plus the correct little-endian CRC-64 of everything before it. */
  byte[] endWithCrc() {
    op(0xFF);
    return withTrailer(Crc64.of(out.toByteArray()));
  }

  /** EOF opcode plus a given trailer value (0 = written with rdbchecksum no). */
  byte[] endWithTrailer(long trailer) {
    op(0xFF);
    return withTrailer(trailer);
  }

  /** EOF opcode only, as RDB versions before 5 end. */
  byte[] endWithoutTrailer() {
    op(0xFF);
    return out.toByteArray();
  }

  private byte[] withTrailer(long crc) {
    for (int i = 0; i < 8; i++) {
      out.write((int) (crc >>> (8 * i)) & 0xff);
    }
    return out.toByteArray();
  }
}
