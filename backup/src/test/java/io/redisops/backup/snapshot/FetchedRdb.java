package io.redisops.backup.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.redis.RedisEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Fetches a snapshot into a file and checks it the way an operator would: header, trailer,
 * redis-check-rdb.
 */
final class FetchedRdb {
  static final Duration CONNECT = Duration.ofSeconds(2);
  static final Duration READ = Duration.ofSeconds(10);

  private FetchedRdb() {}

  /**
   * @return the output of {@code redis-check-rdb}, which must have exited 0
   */
  static String fetchAndCheck(RedisEndpoint ep, boolean expectDiskless, Path file)
      throws Exception {
    try (ReplicationRdbStream s = ReplicationRdbStream.open(ep, CONNECT, READ);
        InputStream rdb = s.rdb();
        OutputStream out = Files.newOutputStream(file)) {
      assertThat(s.diskless()).isEqualTo(expectDiskless);
      long copied = rdb.transferTo(out);
      if (!expectDiskless) {
        assertThat(copied).isEqualTo(s.declaredLength());
      }
    }
    byte[] bytes = Files.readAllBytes(file);
    assertThat(new String(bytes, 0, 9, StandardCharsets.US_ASCII)).isEqualTo("REDIS0010");
    assertThat(bytes[bytes.length - 9] & 0xff)
        .as("EOF opcode before the 8-byte CRC")
        .isEqualTo(0xFF);
    return checkRdb(file);
  }

  static String checkRdb(Path file) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("redis-check-rdb", file.toString()).redirectErrorStream(true).start();
    try {
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("redis-check-rdb exit code; output:%n%s", output).isZero();
      return output;
    } finally {
      p.destroyForcibly(); // no-op once it exited; stops it if the wait above failed
    }
  }

  /** {@code count} string keys of varied lengths, in a stable order. */
  static Map<String, String> sampleKeys(int count) {
    Map<String, String> keys = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      keys.put("key:" + i, "value-" + i + "-" + "x".repeat(i % 50));
    }
    return keys;
  }
}
