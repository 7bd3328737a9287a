package io.redisops.backup.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Layouts the local Redis 7.0.15 cannot write: older and newer RDB versions, modules, stream v3.
 */
class RdbAnalyzerSyntheticTest {

  private static RdbAnalysis analyze(byte[] rdb) throws IOException {
    return RdbAnalyzer.analyze(new ByteArrayInputStream(rdb), 64);
  }

  /** A string key after the value under test: a misaligned skip would not find it. */
  private static RdbBytes sentinelKey(RdbBytes b) {
    return b.op(0).str("after").str("value");
  }

  @Test
  void rdbVersion4HasNoTrailer() throws IOException {
    byte[] rdb =
        RdbBytes.version(4)
            .op(0xFE)
            .len(2)
            .op(0xFD)
            .raw(1, 2, 3, 4)
            .op(0)
            .str("k")
            .str("v")
            .endWithoutTrailer();
    RdbAnalysis a = analyze(rdb);
    assertThat(a.rdbVersion()).isEqualTo(4);
    assertThat(a.keysPerDb()).containsExactly(entry(2, 1L));
    assertThat(a.expiresPerDb()).containsExactly(entry(2, 1L));
    assertThat(a.crcPresent()).isFalse();
    assertThat(a.crcOk()).isTrue();
    assertThat(a.totalBytes()).isEqualTo(rdb.length);
  }

  @Test
  void streamVersion3WithGroupsPelAndConsumerActiveTime() throws IOException {
    RdbBytes b = RdbBytes.version(11).op(0xFE).len(0).op(21).str("stream");
    b.len(1)
        .str("0123456789abcdef")
        .blob(
            RdbBytes.listpack(1, 0, 1, "f", 0, 2, 0, 0, "v", 4)); // one node: master id + listpack
    b.len(1).len(5).len(0); // length, last id
    b.len(5).len(0).len(0).len(0).len(1); // first id, max deleted id, entries added
    b.len(1).str("group").len(5).len(0).len(1); // one group: name, last id, entries read
    b.len(2).zeros(16).zeros(8).len(1).zeros(16).zeros(8).len(300); // global PEL of 2
    b.len(1).str("consumer").zeros(8).zeros(8).len(2).zeros(32); // seen, active, own PEL
    byte[] rdb = sentinelKey(b).endWithCrc();
    RdbAnalysis a = analyze(rdb);
    assertThat(a.keysPerDb()).containsExactly(entry(0, 2L));
    assertThat(a.crcOk()).isTrue();
  }

  @Test
  void module2ValuesAndModuleAuxAreSkippedByTheirOpcodes() throws IOException {
    RdbBytes b = RdbBytes.version(10);
    b.op(0xF7)
        .len(0x1234567890L)
        .len(2)
        .len(1) // module aux: id, when opcode UINT, when
        .len(5)
        .str("aux")
        .len(0); // a string, EOF
    b.op(0xFE)
        .len(1)
        .op(7)
        .str("mkey")
        .len(0x1234567890L) // module value: id
        .len(1)
        .len(7)
        .len(2)
        .len(8)
        .len(3)
        .zeros(4)
        .len(4)
        .zeros(8)
        .len(5)
        .str("s")
        .len(0);
    byte[] rdb = sentinelKey(b).endWithCrc();
    assertThat(analyze(rdb).keysPerDb()).containsExactly(entry(1, 2L));
  }

  @Test
  void preGaFunctionsZsetWithStringScoresAndListpackSet() throws IOException {
    RdbBytes b = RdbBytes.version(11);
    b.op(0xF6).str("lib").str("LUA").len(1).str("a description").str("code"); // 7.0-rc layout
    b.op(0xF6).str("lib2").str("LUA").len(0).str("code");
    b.op(0xF5).str("#!lua name=x\n");
    b.op(0xFE).len(0).op(0xFC).zeros(8).op(0xF9).raw(5).op(0xF8).len(100);
    b.op(3)
        .str("oldzset")
        .len(4)
        .str("a")
        .raw(3)
        .raw("1.5".getBytes(StandardCharsets.US_ASCII))
        .str("b")
        .raw(253)
        .str("c")
        .raw(254)
        .str("d")
        .raw(255);
    b.op(20).str("lpset").blob(RdbBytes.listpack("a", "b", 7));
    b.op(5).str("zset2").len(1).str("m").zeros(8);
    byte[] rdb = sentinelKey(b).endWithCrc();
    RdbAnalysis a = analyze(rdb);
    assertThat(a.keysPerDb()).containsExactly(entry(0, 4L));
    assertThat(a.expiresPerDb()).containsExactly(entry(0, 1L));
  }

  @Test
  void integerAndLzfEncodedAuxValuesAreRendered() throws IOException {
    RdbBytes b = RdbBytes.version(10);
    b.op(0xFA).str("i8").raw(0xC0, 0xFE); // -2
    b.op(0xFA).str("i16").raw(0xC1, 0x39, 0x30); // 12345
    b.op(0xFA).str("i32").raw(0xC2, 0x00, 0x00, 0x00, 0x80); // Integer.MIN_VALUE
    // LZF for "aaaaaaaaaa": literal 'a', then a back reference of length 9 at distance 1.
    b.op(0xFA).str("lzf").raw(0xC3).len(5).len(10).raw(0x00, 'a', 0xE0, 0x00, 0x00);
    RdbAnalysis a = analyze(b.endWithCrc());
    assertThat(a.aux())
        .containsExactly(
            entry("i8", "-2"),
            entry("i16", "12345"),
            entry("i32", "-2147483648"),
            entry("lzf", "aaaaaaaaaa"));
  }

  @Test
  void anUnskippableModuleValueStopsCountingButTheCrcStillVouchesForTheFile() throws IOException {
    RdbBytes b =
        RdbBytes.version(10)
            .op(0xFA)
            .str("redis-ver")
            .str("x")
            .op(0xFE)
            .len(0)
            .op(0)
            .str("k")
            .str("v")
            .op(6)
            .str("mod")
            .raw(1, 2, 3, 0xFF, 4, 5);
    byte[] rdb = b.endWithCrc();
    RdbAnalysis a = analyze(rdb);
    assertThat(a.keyCountsAvailable()).isFalse();
    assertThat(a.keysPerDb()).isEmpty();
    assertThat(a.totalKeys()).isEqualTo(-1);
    assertThat(a.crcPresent()).isTrue();
    assertThat(a.crcOk()).isTrue();
    assertThat(a.totalBytes()).isEqualTo(rdb.length);
    assertThat(a.aux()).containsEntry("redis-ver", "x");

    rdb[20] ^= 1;
    assertThat(analyze(rdb).crcOk()).isFalse();
  }

  @Test
  void anUnknownTypeWithoutChecksumIsRefused() {
    byte[] rdb = RdbBytes.version(10).op(0xFE).len(0).op(0x30).str("k").endWithTrailer(0);
    assertThatThrownBy(() -> analyze(rdb))
        .isInstanceOf(RdbFormatException.class)
        .hasMessage(
            "unknown RDB opcode/type 0x30 at byte 11, and the file was saved without a checksum"
                + " (rdbchecksum no) to verify the rest");
    byte[] old = RdbBytes.version(4).op(6).str("k").endWithoutTrailer();
    assertThatThrownBy(() -> analyze(old))
        .hasMessage(
            "cannot skip the module (pre-GA) value type 0x06 at byte 9, and RDB version 4 has"
                + " no checksum to verify the rest");
  }

  @Test
  void unknownTypeMessageNamesTheOffsetWhenTheFileIsTooShortForATrailer() {
    byte[] rdb = {'R', 'E', 'D', 'I', 'S', '0', '0', '1', '0', 0x30, 1, 2};
    assertThatThrownBy(() -> analyze(rdb))
        .hasMessage(
            "RDB truncated: the stream ended at byte 12 inside the 8-byte checksum trailer");
  }
}
