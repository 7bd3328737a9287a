package io.redisops.backup.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Formats with no server on this machine, built from the layouts in the servers' sources: Redis
 * rdb.c/keymeta.c of 8.6.3 (RDB 13), Valkey rdb.h/compression_stream.c of unstable (RDB 80/81, VKCS
 * envelope).
 */
class RdbAnalyzerFormatsTest {

  private static RdbAnalysis analyze(byte[] rdb) throws IOException {
    return RdbAnalyzer.analyze(new ByteArrayInputStream(rdb), 64);
  }

  /** Redis 7.4+ hashes with field TTLs: types 22-25, and a SLOT_INFO opcode. */
  private static RdbBytes redisHfe(int version) {
    RdbBytes b = RdbBytes.version(version).op(0xFA).str("redis-ver").str("8.0.0");
    b.op(0xFE).len(0).op(0xFB).len(4).len(1).op(0xF4).len(866).len(4).len(1);
    b.op(24)
        .str("h24")
        .zeros(8)
        .len(2)
        .len(0)
        .str("f")
        .str("v")
        .len(5)
        .str("g")
        .str("w"); // min TTL, ttl+field+value
    b.op(22)
        .str("h22")
        .len(1)
        .len(1700000000000L)
        .str("f")
        .str("v"); // RC form: absolute TTL, no min TTL
    b.op(0xFC).zeros(8);
    b.op(25)
        .str("h25")
        .zeros(8)
        .blob(RdbBytes.listpack("f", "v", 100, "g", "w", 0)); // TTL'd fields first
    b.op(23).str("h23").blob(RdbBytes.listpack("f", "v", 0));
    return b;
  }

  @Test
  void redis12HashFieldExpiryTypesAndSlotInfoParseFully() throws IOException {
    RdbAnalysis a = analyze(redisHfe(12).endWithCrc());
    assertThat(a.engine()).isEqualTo("redis");
    assertThat(a.rdbVersion()).isEqualTo(12);
    assertThat(a.verification()).isEqualTo(Verification.FULL);
    assertThat(a.verificationNote()).isNull();
    assertThat(a.keysPerDb()).containsExactly(entry(0, 4L));
    assertThat(a.expiresPerDb()).containsExactly(entry(0, 1L));
    assertThat(a.crcOk()).isTrue();
    assertThat(a.compression()).isNull();
  }

  @Test
  void redis13KeyMetadataAndStreamWithIdmpParseFully() throws IOException {
    RdbBytes b = RdbBytes.version(13).op(0xFE).len(0);
    // KEY_META: 1 class, 4-byte class spec, module opcodes (UINT 7, STRING "x"), module EOF; then
    // the key
    b.op(0xF3).len(1).raw(1, 2, 3, 4).len(2).len(7).len(5).str("x").len(0);
    b.op(0).str("k").str("v");
    b.op(26)
        .str("s")
        .len(1)
        .str("0123456789abcdef")
        .blob(RdbBytes.listpack(1, 0, 1, "f", 0, 2, 0, 0, "v", 4));
    b.len(1)
        .len(5)
        .len(0)
        .len(5)
        .len(0)
        .len(0)
        .len(0)
        .len(1); // length, last id, first id, max deleted, added
    b.len(0); // no groups
    b.len(100).len(1000); // IDMP duration, max entries
    b.len(1).str("producer").len(1).str("iid-1").len(5).len(0); // one producer with one IID
    b.len(1).len(0); // IIDs added, duplicates
    RdbAnalysis a = analyze(b.endWithCrc());
    assertThat(a.verification()).isEqualTo(Verification.FULL);
    assertThat(a.keysPerDb()).containsExactly(entry(0, 2L));
  }

  @Test
  void redis14And15ParseFullyWhenOnlyKnownTypesAppear() throws IOException {
    for (int v : new int[] {14, 15}) {
      RdbAnalysis a = analyze(redisHfe(v).endWithCrc());
      assertThat(a.rdbVersion()).isEqualTo(v);
      assertThat(a.verification()).isEqualTo(Verification.FULL);
      assertThat(a.keysPerDb()).containsExactly(entry(0, 4L));
    }
  }

  @Test
  void redis14ArrayTypeIsCheckedByChecksumOnly() throws IOException {
    byte[] rdb =
        RdbBytes.version(14)
            .op(0xFE)
            .len(0)
            .op(0)
            .str("k")
            .str("v")
            .op(28)
            .str("arr")
            .raw(9, 9, 9)
            .endWithCrc();
    RdbAnalysis a = analyze(rdb);
    assertThat(a.verification()).isEqualTo(Verification.CHECKSUM);
    assertThat(a.verificationNote()).isEqualTo("unknown RDB opcode/type 0x1c at byte 16");
    assertThat(a.keyCountsAvailable()).isFalse();
    assertThat(a.crcOk()).isTrue();
  }

  @Test
  void valkey80Hash2AndSlotInfoParseFully() throws IOException {
    for (int v : new int[] {80, 81}) {
      RdbBytes b = RdbBytes.valkey(v).op(0xFA).str("valkey-ver").str("9.0.0").op(0xFE).len(0);
      b.op(0xF4).len(5).len(1).len(0);
      b.op(22)
          .str("h")
          .len(2)
          .str("f")
          .str("v")
          .raw(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
          .str("g")
          .str("w")
          .zeros(8);
      b.op(16).str("lp").blob(RdbBytes.listpack("f", "v"));
      RdbAnalysis a = analyze(b.endWithCrc());
      assertThat(a.engine()).isEqualTo("valkey");
      assertThat(a.rdbVersion()).isEqualTo(v);
      assertThat(a.verification()).isEqualTo(Verification.FULL);
      assertThat(a.keysPerDb()).containsExactly(entry(0, 2L));
    }
  }

  @Test
  void valkeyTypesAndOpcodesNotFollowedFallBackToTheChecksum() throws IOException {
    // 23 = PATH_HASH in Valkey 9.2, 243 = SLOT_IMPORT in Valkey: layouts not followed here
    for (int code : new int[] {23, 0xF3, 0xF2}) {
      byte[] rdb = RdbBytes.valkey(81).op(0xFE).len(0).op(code).raw(1, 2, 3).endWithCrc();
      RdbAnalysis a = analyze(rdb);
      assertThat(a.verification()).isEqualTo(Verification.CHECKSUM);
      assertThat(a.verificationNote()).startsWith("unknown RDB opcode/type");
      assertThat(a.crcOk()).isTrue();
    }
  }

  @Test
  void aNewerVersionThatParsesAsTheNewestKnownIsChecksumLevelWithCounts() throws IOException {
    RdbAnalysis a = analyze(redisHfe(16).endWithCrc());
    assertThat(a.verification()).isEqualTo(Verification.CHECKSUM);
    assertThat(a.verificationNote())
        .startsWith("RDB version 16 is newer than the newest known (15)");
    assertThat(a.keyCountsAvailable()).isTrue();
    assertThat(a.crcOk()).isTrue();
  }

  @Test
  void aNewerVersionThatDoesNotParseFallsBackToTheChecksum() throws IOException {
    // a stream whose count claims more bytes than there are, a new type, a new opcode: all fine
    // when newer
    byte[][] files = {
      RdbBytes.version(16).op(0xFE).len(0).op(0).str("k").raw(0x80, 0x7f, 0, 0, 0).endWithCrc(),
      RdbBytes.version(16).op(0xFE).len(0).op(40).str("k").raw(1, 2).endWithCrc(),
      RdbBytes.valkey(82).op(0xFE).len(0).op(0xF0).raw(1, 2).endWithCrc(),
      RdbBytes.valkey(82).op(0xFE).len(0).op(16).str("k").blob(new byte[] {1, 2, 3}).endWithCrc(),
    };
    for (byte[] rdb : files) {
      RdbAnalysis a = analyze(rdb);
      assertThat(a.verification()).isEqualTo(Verification.CHECKSUM);
      assertThat(a.verificationNote()).contains("is newer than the newest known");
      assertThat(a.keyCountsAvailable()).isFalse();
      assertThat(a.crcOk()).isTrue();
      byte[] damaged = rdb.clone();
      damaged[damaged.length - 10] ^= 4;
      assertThat(analyze(damaged).crcOk()).isFalse();
    }
  }

  @Test
  void aMalformedBlobOfAKnownVersionIsRefusedWithOffsetAndKey() {
    byte[] lp = RdbBytes.listpack("f", "v", "f", "w"); // duplicate field
    byte[] rdb =
        RdbBytes.version(12)
            .op(0xFE)
            .len(0)
            .op(0)
            .str("k")
            .str("v")
            .op(16)
            .str("h")
            .blob(lp)
            .endWithCrc();
    assertThatThrownBy(() -> analyze(rdb))
        .isInstanceOf(RdbFormatException.class)
        .hasMessage(
            "corrupt RDB: listpack has a duplicate element (entry 2) (value at byte 19, key #2"
                + " (type 16, hash listpack) in db 0)");
    byte[] odd =
        RdbBytes.version(12)
            .op(0xFE)
            .len(0)
            .op(16)
            .str("h")
            .blob(RdbBytes.listpack("f", "v", "g"))
            .endWithCrc();
    assertThatThrownBy(() -> analyze(odd)).hasMessageContaining("not a whole number of 2-tuples");
    byte[] ttl2 =
        RdbBytes.version(12)
            .op(0xFE)
            .len(0)
            .op(25)
            .str("h")
            .zeros(8)
            .blob(RdbBytes.listpack("f", "v", 0, "g", "w", 100))
            .endWithCrc(); // a TTL after a field without one
    assertThatThrownBy(() -> analyze(ttl2)).hasMessageContaining("field TTLs out of order");
  }

  private static byte[] vkcs(byte[] rdb, boolean blockChecksums) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {'V', 'K', 'C', 'S', 1, 1, (byte) (blockChecksums ? 1 : 0), 0});
    FramedLZ4CompressorOutputStream.Parameters params =
        new FramedLZ4CompressorOutputStream.Parameters(
            FramedLZ4CompressorOutputStream.BlockSize.K64, false, blockChecksums, false);
    try (FramedLZ4CompressorOutputStream lz4 = new FramedLZ4CompressorOutputStream(out, params)) {
      lz4.write(rdb);
    }
    return out.toByteArray();
  }

  @Test
  void aVkcsLz4CompressedValkey81FileIsDecompressedAndVerified() throws IOException {
    RdbBytes b = RdbBytes.valkey(81).op(0xFE).len(3);
    for (int i = 0; i < 3000; i++) {
      b.op(0).str("key:" + i).str("value number " + i);
    }
    byte[] rdb = b.endWithCrc();
    for (boolean checksums : new boolean[] {false, true}) {
      byte[] file = vkcs(rdb, checksums);
      RdbAnalysis a = analyze(file);
      assertThat(a.compression()).isEqualTo("lz4");
      assertThat(a.engine()).isEqualTo("valkey");
      assertThat(a.verification()).isEqualTo(Verification.FULL);
      assertThat(a.keysPerDb()).containsExactly(entry(3, 3000L));
      assertThat(a.totalBytes()).isEqualTo(file.length);
      assertThat(a.crcOk()).isTrue();

      assertThatThrownBy(() -> analyze(Arrays.copyOf(file, file.length - 5)))
          .isInstanceOf(RdbFormatException.class);
      byte[] longer = Arrays.copyOf(file, file.length + 3);
      assertThatThrownBy(() -> analyze(longer))
          .hasMessage("unexpected 3 bytes after the end of the LZ4 frame");
    }
    byte[] zstd = vkcs(rdb, false);
    zstd[5] = 2;
    assertThatThrownBy(() -> analyze(zstd))
        .hasMessageStartingWith("unsupported codec 2 in the VKCS");
  }
}
