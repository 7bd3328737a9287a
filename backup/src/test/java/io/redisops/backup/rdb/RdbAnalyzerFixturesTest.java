package io.redisops.backup.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Analyses the real RDB files written by redis-server 7.0.15 (see make-fixtures.sh). */
class RdbAnalyzerFixturesTest {

  private static RdbAnalysis analyze(byte[] rdb) throws IOException {
    return RdbAnalyzer.analyze(new ByteArrayInputStream(rdb));
  }

  private static long trailer(byte[] rdb) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v |= (rdb[rdb.length - 8 + i] & 0xffL) << (8 * i);
    }
    return v;
  }

  @ParameterizedTest
  @FieldSource("io.redisops.backup.rdb.Fixtures#ALL")
  void countsMatchWhatRedisReportedAndTheChecksumHolds(String name) throws IOException {
    byte[] rdb = Fixtures.bytes(name);
    RdbAnalysis a = analyze(rdb);

    Map<Integer, long[]> expected = Fixtures.expectedCounts().getOrDefault(name, Map.of());
    Map<Integer, Long> keys = new TreeMap<>();
    Map<Integer, Long> expires = new TreeMap<>();
    expected.forEach(
        (db, c) -> {
          keys.put(db, c[0]);
          expires.put(db, c[1]);
        });
    assertThat(a.keyCountsAvailable()).isTrue();
    assertThat(a.keysPerDb()).isEqualTo(keys);
    assertThat(a.expiresPerDb()).isEqualTo(expires);
    assertThat(a.rdbVersion()).isEqualTo(10);
    assertThat(a.aux())
        .contains(entry("redis-ver", "7.0.15"), entry("redis-bits", "64"), entry("aof-base", "0"));
    assertThat(a.aux().get("ctime")).matches("\\d{10}");
    assertThat(a.aux().get("used-mem")).matches("\\d+");
    assertThat(a.totalBytes()).isEqualTo(rdb.length);
    assertThat(a.storedCrc()).isEqualTo(trailer(rdb));
    assertThat(a.crcOk()).isTrue();
    if (!name.equals("nochecksum")) {
      assertThat(a.crcPresent()).isTrue();
      assertThat(a.computedCrc()).isEqualTo(a.storedCrc());
    }
  }

  @ParameterizedTest
  @FieldSource("io.redisops.backup.rdb.Fixtures#ALL")
  void tinyBuffersGiveTheSameResult(String name) throws IOException {
    byte[] rdb = Fixtures.bytes(name);
    RdbAnalysis reference = analyze(rdb);
    for (int size : new int[] {64, 65, 71, 100, 4096}) {
      assertThat(RdbAnalyzer.analyze(new ByteArrayInputStream(rdb), size))
          .as("buffer %d", size)
          .isEqualTo(reference);
    }
    // A stream that hands out one byte at a time crosses every boundary.
    assertThat(RdbAnalyzer.analyze(new OneByteAtATime(new ByteArrayInputStream(rdb)), 64))
        .isEqualTo(reference);
  }

  @Test
  void emptyDatabase() throws IOException {
    RdbAnalysis a = analyze(Fixtures.bytes("empty"));
    assertThat(a.keysPerDb()).isEmpty();
    assertThat(a.expiresPerDb()).isEmpty();
    assertThat(a.totalKeys()).isZero();
    assertThat(a.crcPresent()).isTrue();
    assertThat(a.crcOk()).isTrue();
  }

  @Test
  void expiresAreCountedPerDatabase() throws IOException {
    RdbAnalysis a = analyze(Fixtures.bytes("expires"));
    assertThat(a.keysPerDb()).containsExactly(entry(0, 4L), entry(3, 21L), entry(15, 3L));
    assertThat(a.expiresPerDb()).containsExactly(entry(0, 3L), entry(3, 8L), entry(15, 1L));
    assertThat(a.totalKeys()).isEqualTo(28);
  }

  @Test
  void everyValueTypeFixtureHasItsKeys() throws IOException {
    assertThat(analyze(Fixtures.bytes("strings")).keysPerDb()).containsExactly(entry(0, 9L));
    assertThat(analyze(Fixtures.bytes("collections")).keysPerDb()).containsExactly(entry(0, 11L));
    assertThat(analyze(Fixtures.bytes("lists-small-nodes")).keysPerDb())
        .containsExactly(entry(0, 3L));
    assertThat(analyze(Fixtures.bytes("streams")).keysPerDb()).containsExactly(entry(0, 3L));
    assertThat(analyze(Fixtures.bytes("function")).keysPerDb()).containsExactly(entry(0, 1L));
  }

  @Test
  void checksumDisabledIsReportedAsAbsent() throws IOException {
    RdbAnalysis a = analyze(Fixtures.bytes("nochecksum"));
    assertThat(a.crcPresent()).isFalse();
    assertThat(a.storedCrc()).isZero();
    assertThat(a.crcOk()).isTrue();
    assertThat(a.keysPerDb()).containsExactly(entry(0, 3L));
  }

  @Test
  void readsEveryByteOnceWithoutSkippingSoATeeSeesTheWholeFile() throws Exception {
    byte[] rdb = Fixtures.bytes("collections");
    MessageDigest teed = MessageDigest.getInstance("SHA-256");
    CountingNoSkip counting = new CountingNoSkip(new ByteArrayInputStream(rdb));
    RdbAnalysis a = RdbAnalyzer.analyze(new DigestInputStream(counting, teed));

    assertThat(counting.count).isEqualTo(rdb.length);
    assertThat(counting.sawEnd).isTrue();
    assertThat(teed.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(rdb));
    assertThat(a.totalBytes()).isEqualTo(rdb.length);
  }

  /** Returns at most one byte per read call. */
  static final class OneByteAtATime extends FilterInputStream {
    OneByteAtATime(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return super.read(b, off, Math.min(len, 1));
    }
  }

  /** Counts bytes handed out and fails on skip/mark/reset, which a tee would not see. */
  static final class CountingNoSkip extends FilterInputStream {
    long count;
    boolean sawEnd;

    CountingNoSkip(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b < 0) {
        sawEnd = true;
      } else {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n < 0) {
        sawEnd = true;
      } else {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) {
      throw new AssertionError("skip() bypasses the tee");
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public synchronized void reset() {
      throw new AssertionError("reset() would feed bytes twice");
    }
  }
}
