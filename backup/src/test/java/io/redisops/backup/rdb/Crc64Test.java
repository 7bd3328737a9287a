package io.redisops.backup.rdb;

import static org.assertj.core.api.Assertions.assertThat;

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
