package io.redisops.backup.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves our CRC is Redis' CRC: edit a real RDB, write the trailer our {@link Crc64} computes, and
 * redis-check-rdb (the checker shipped with Redis) accepts it. Skipped where redis-check-rdb is not
 * installed.
 */
class RedisCheckRdbCrossCheckTest {

  @TempDir Path dir;

  private static boolean redisCheckRdbInstalled() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String d : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, "redis-check-rdb"))) {
        return true;
      }
    }
    return false;
  }

  private record Check(int exit, String output) {}

  private Check redisCheckRdb(byte[] rdb) throws IOException, InterruptedException {
    Path file = Files.write(dir.resolve("edited.rdb"), rdb);
    Process p =
        new ProcessBuilder("redis-check-rdb", file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Check(p.exitValue(), out);
  }

  @Test
  void redisCheckRdbAcceptsTheTrailerWeCompute() throws Exception {
    assumeTrue(redisCheckRdbInstalled(), "redis-check-rdb not on PATH");
    byte[] rdb = Fixtures.bytes("strings");
    int at = indexOf(rdb, "hello, redis-ops".getBytes(StandardCharsets.US_ASCII));
    assertThat(at).isPositive();
    rdb[at] = 'j'; // same length, so the structure stays valid

    Check stale = redisCheckRdb(rdb);
    assertThat(stale.exit()).isEqualTo(1);
    assertThat(stale.output()).contains("RDB CRC error");
    assertThat(RdbAnalyzer.analyze(new ByteArrayInputStream(rdb)).crcOk()).isFalse();

    long crc = RdbAnalyzer.analyze(new ByteArrayInputStream(rdb)).computedCrc();
    for (int i = 0; i < 8; i++) {
      rdb[rdb.length - 8 + i] = (byte) (crc >>> (8 * i));
    }
    Check fixed = redisCheckRdb(rdb);
    assertThat(fixed.exit()).as(fixed.output()).isZero();
    assertThat(fixed.output()).contains("Checksum OK").contains("RDB looks OK");
    assertThat(RdbAnalyzer.analyze(new ByteArrayInputStream(rdb)).crcOk()).isTrue();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
