package io.redisops.backup.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Damaged real RDB files must never pass: either the CRC disagrees or the analyzer refuses the
 * stream.
 */
class RdbAnalyzerCorruptionTest {

  /** Positions tried per file: all of them for small files, an even spread for the big ones. */
  private static final int MAX_POSITIONS = 1500;

  private static RdbAnalysis analyze(byte[] rdb) throws IOException {
    return RdbAnalyzer.analyze(new ByteArrayInputStream(rdb), 256);
  }

  @ParameterizedTest
  @FieldSource("io.redisops.backup.rdb.Fixtures#CHECKSUMMED")
  void aFlippedByteAnywhereNeverPasses(String name) {
    byte[] rdb = Fixtures.bytes(name);
    int step = Math.max(1, rdb.length / MAX_POSITIONS);
    for (int pos = 0; pos < rdb.length; pos += step) {
      for (int mask : new int[] {0x01, 0x80, 0xff}) {
        byte[] damaged = rdb.clone();
        damaged[pos] ^= (byte) mask;
        try {
          RdbAnalysis a = analyze(damaged);
          assertThat(a.crcOk())
              .as("%s: byte %d ^ 0x%02x passed as %s", name, pos, mask, a)
              .isFalse();
        } catch (RdbFormatException expected) {
          // refused: also fine
        } catch (Exception | Error other) {
          fail(name + ": byte " + pos + " ^ " + mask + " raised " + other, other);
        }
      }
    }
  }

  @ParameterizedTest
  @FieldSource("io.redisops.backup.rdb.Fixtures#ALL")
  void anyTruncationIsRefused(String name) {
    byte[] rdb = Fixtures.bytes(name);
    int step = Math.max(1, rdb.length / MAX_POSITIONS);
    for (int len = 0; len < rdb.length; len += step) {
      byte[] cut = Arrays.copyOf(rdb, len);
      assertThatThrownBy(() -> analyze(cut))
          .as("%s cut to %d bytes", name, len)
          .isInstanceOf(RdbFormatException.class)
          .hasMessageStartingWith("RDB truncated: the stream ended at byte " + len + " inside ");
    }
  }

  @Test
  void truncationMessageSaysWhere() {
    byte[] rdb = Fixtures.bytes("expires");
    assertThatThrownBy(() -> analyze(Arrays.copyOf(rdb, rdb.length - 3)))
        .hasMessage(
            "RDB truncated: the stream ended at byte "
                + (rdb.length - 3)
                + " inside the 8-byte checksum trailer");
    assertThatThrownBy(() -> analyze(Arrays.copyOf(rdb, 4)))
        .hasMessage("RDB truncated: the stream ended at byte 4 inside the RDB header");
    assertThatThrownBy(() -> analyze(Arrays.copyOf(rdb, 300)))
        .hasMessageMatching(
            "RDB truncated: the stream ended at byte 300 inside (key #\\d+ \\(type \\d+, "
                + "[a-z0-9 ]+\\) in db \\d+|an? .*)");
  }

  @Test
  void aNonRdbFileIsRefused() {
    assertThatThrownBy(
            () -> analyze("hello world, not a snapshot".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(RdbFormatException.class)
        .hasMessage("not an RDB file: it starts with 'hello' instead of 'REDIS' or 'VALKEY'");
    byte[] gzip = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    assertThatThrownBy(() -> analyze(gzip))
        .hasMessage(
            "not an RDB file: it starts with '\\x1f\\x8b\\x08\\x00\\x00' instead of 'REDIS' or 'VALKEY'");
    assertThatThrownBy(() -> analyze("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII)))
        .hasMessageStartingWith("not an RDB file: it starts with '*1\\x0d\\x0a$'");
    assertThatThrownBy(() -> analyze("REDISabcd".getBytes(StandardCharsets.US_ASCII)))
        .hasMessage("not an RDB file: the version after 'REDIS' is 'abcd' instead of 4 digits");
  }

  @Test
  void versionZeroAndValkeyMagicBelow80AreRefused() {
    assertThatThrownBy(() -> analyze("REDIS0000\u00ff".getBytes(StandardCharsets.ISO_8859_1)))
        .isInstanceOf(RdbFormatException.class)
        .hasMessageStartingWith("unsupported RDB version 0");
    assertThatThrownBy(() -> analyze("VALKEY011\u00ff".getBytes(StandardCharsets.ISO_8859_1)))
        .hasMessageStartingWith("unsupported RDB version 11 with magic VALKEY");
    assertThatThrownBy(() -> analyze("VALKEY08x\u00ff".getBytes(StandardCharsets.ISO_8859_1)))
        .hasMessage("not an RDB file: the version after 'VALKEY' is '08x' instead of 3 digits");
  }

  @Test
  void bytesAfterTheTrailerAreRefused() {
    byte[] rdb = Fixtures.bytes("strings");
    byte[] longer = Arrays.copyOf(rdb, rdb.length + 40); // e.g. an unstripped $EOF: marker
    assertThatThrownBy(() -> analyze(longer))
        .isInstanceOf(RdbFormatException.class)
        .hasMessageStartingWith(
            "unexpected 40 bytes after the end of the RDB (the EOF opcode and the checksum"
                + " end at byte "
                + rdb.length
                + ")");
  }

  @Test
  void aCrcMismatchIsReportedNotThrown() throws IOException {
    byte[] rdb = Fixtures.bytes("collections");
    rdb[rdb.length - 1] ^= 0x10;
    RdbAnalysis a = analyze(rdb);
    assertThat(a.crcPresent()).isTrue();
    assertThat(a.crcOk()).isFalse();
    assertThat(a.keysPerDb()).containsEntry(0, 11L);
  }
}
