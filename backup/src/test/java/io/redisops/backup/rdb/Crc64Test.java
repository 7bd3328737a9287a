package io.redisops.backup.rdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Crc64Test {

  /** Bit-at-a-time definition of CRC-64/Jones (reflected, init 0, no final xor): the reference. */
  private static long reference(byte[] b, int off, int len) {
    long crc = 0;
    for (int i = off; i < off + len; i++) {
      crc ^= b[i] & 0xff;
      for (int k = 0; k < 8; k++) {
        crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x95ac9329ac4bc9b5L : crc >>> 1;
      }
    }
    return crc;
  }

  /**
   * The previous implementation (slicing-by-8 over eight tables), kept here as a second reference:
   * the slicing-by-16 one must agree with it on every length and offset.
   */
  private static final class Slicing8 {
    private static final VarHandle LONG_LE =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long[][] TABLES = new long[8][256];

    static {
      for (int n = 0; n < 256; n++) {
        long c = n;
        for (int k = 0; k < 8; k++) {
          c = (c & 1) != 0 ? (c >>> 1) ^ 0x95ac9329ac4bc9b5L : c >>> 1;
        }
        TABLES[0][n] = c;
      }
      for (int n = 0; n < 256; n++) {
        long c = TABLES[0][n];
        for (int k = 1; k < 8; k++) {
          c = TABLES[0][(int) c & 0xff] ^ (c >>> 8);
          TABLES[k][n] = c;
        }
      }
    }

    static long update(long c, byte[] b, int off, int len) {
      int i = off;
      int end = off + len;
      long[][] t = TABLES;
      while (end - i >= 8) {
        c ^= (long) LONG_LE.get(b, i);
        c =
            t[7][(int) c & 0xff]
                ^ t[6][(int) (c >>> 8) & 0xff]
                ^ t[5][(int) (c >>> 16) & 0xff]
                ^ t[4][(int) (c >>> 24) & 0xff]
                ^ t[3][(int) (c >>> 32) & 0xff]
                ^ t[2][(int) (c >>> 40) & 0xff]
                ^ t[1][(int) (c >>> 48) & 0xff]
                ^ t[0][(int) (c >>> 56)];
        i += 8;
      }
      while (i < end) {
        c = t[0][(int) (c ^ b[i++]) & 0xff] ^ (c >>> 8);
      }
      return c;
    }
  }

  @Test
  void everyLengthUpTo1000AtEveryAlignmentAgreesWithSlicingBy8AndTheBitwiseDefinition() {
    Random random = new Random(20261202);
    byte[] data = new byte[1000 + 16];
    random.nextBytes(data);
    for (int off = 0; off < 16; off++) {
      for (int len = 0; len <= 1000; len++) {
        Crc64 crc = new Crc64();
        crc.update(data, off, len);
        long expected = Slicing8.update(0, data, off, len);
        assertThat(crc.value()).as("off %d len %d", off, len).isEqualTo(expected);
        if (len % 97 == 0) {
          assertThat(crc.value())
              .as("off %d len %d", off, len)
              .isEqualTo(reference(data, off, len));
        }
      }
    }
  }

  @Test
  void continuingFromAnyStateAgreesWithSlicingBy8OnRandomChunks() {
    Random random = new Random(99);
    byte[] data = new byte[1 << 16];
    random.nextBytes(data);
    Crc64 crc = new Crc64();
    long expected = 0;
    int pos = 0;
    while (pos < data.length) {
      int len = Math.min(data.length - pos, random.nextInt(3000));
      crc.update(data, pos, len);
      expected = Slicing8.update(expected, data, pos, len);
      assertThat(crc.value()).as("after %d bytes", pos + len).isEqualTo(expected);
      pos += len;
    }
  }

  @Test
  void checkValueOfTheCatalogue() {
    assertThat(Crc64.of("123456789".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(0xe9c6d914c4b8d9caL);
  }

  @Test
  void emptyInputIsZero() {
    assertThat(new Crc64().value()).isZero();
    assertThat(Crc64.of(new byte[0])).isZero();
  }

  @Test
  void slicedTableAgreesWithTheBitwiseDefinitionForAnyOffsetAndLength() {
    Random random = new Random(42);
    byte[] data = new byte[4096];
    random.nextBytes(data);
    for (int i = 0; i < 500; i++) {
      int off = random.nextInt(data.length);
      int len = random.nextInt(data.length - off + 1);
      Crc64 crc = new Crc64();
      crc.update(data, off, len);
      assertThat(crc.value()).as("off %d len %d", off, len).isEqualTo(reference(data, off, len));
    }
  }

  @Test
  void byteByByteChunkedAndResetGiveTheSameValue() {
    byte[] data = new byte[1000];
    new Random(7).nextBytes(data);
    long whole = Crc64.of(data);

    Crc64 single = new Crc64();
    for (byte b : data) {
      single.update(b);
    }
    assertThat(single.value()).isEqualTo(whole);

    Crc64 chunked = new Crc64();
    chunked.update(data, 0, 3);
    chunked.update(data, 3, 500);
    chunked.update(data[503]);
    chunked.update(data, 504, data.length - 504);
    assertThat(chunked.value()).isEqualTo(whole);

    chunked.reset();
    assertThat(chunked.value()).isZero();
    chunked.update(data, 0, data.length);
    assertThat(chunked.value()).isEqualTo(whole);
  }
}
