package io.redisops.backup.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class CompressionTest {

  /** 3 MB: 1 MB random (incompressible), then 2 MB of a repeated pattern (very compressible). */
  private static byte[] sample() {
    byte[] data = new byte[3 * 1024 * 1024];
    Random random = new Random(42);
    byte[] noise = new byte[1024 * 1024];
    random.nextBytes(noise);
    System.arraycopy(noise, 0, data, 0, noise.length);
    byte[] pattern = "key:0001 value=redis-ops ".getBytes(StandardCharsets.UTF_8);
    for (int i = noise.length; i < data.length; i++) {
      data[i] = pattern[i % pattern.length];
    }
    return data;
  }

  @Test
  void zstdWorkersFollowTheCoresWithinBounds() {
    assertThat(Compression.zstdWorkers(1)).isEqualTo(1);
    assertThat(Compression.zstdWorkers(2)).isEqualTo(2);
    assertThat(Compression.zstdWorkers(64)).isEqualTo(Compression.MAX_ZSTD_WORKERS);
    assertThat(Compression.ZSTD_WORKERS)
        .isBetween(1, Compression.MAX_ZSTD_WORKERS)
        .isEqualTo(Compression.zstdWorkers(Runtime.getRuntime().availableProcessors()));
  }

  /** Larger than several zstd jobs, so the workers each compress a part of it. */
  @Test
  void zstdRoundTripSpanningSeveralWorkerJobs() throws IOException {
    byte[] chunk = sample();
    byte[] data = new byte[8 * chunk.length];
    Random random = new Random(7);
    for (int i = 0; i < 8; i++) {
      System.arraycopy(chunk, 0, data, i * chunk.length, chunk.length);
      data[i * chunk.length + random.nextInt(chunk.length)] ^= 1; // no two copies alike
    }
    ByteArrayOutputStream stored = new ByteArrayOutputStream();
    try (OutputStream out = Compression.ZSTD.compress(stored)) {
      for (int off = 0; off < data.length; off += 1 << 20) {
        out.write(data, off, Math.min(1 << 20, data.length - off));
      }
    }
    byte[] back;
    try (InputStream in =
        Compression.ZSTD.decompress(new ByteArrayInputStream(stored.toByteArray()))) {
      back = in.readAllBytes();
    }
    assertThat(back).isEqualTo(data);
  }

  /** The configured level is the one used: the same bytes, a different frame, read back alike. */
  @Test
  void levelsRoundTripAndTheLevelIsApplied() throws IOException {
    byte[] data = sample();
    for (Compression c : new Compression[] {Compression.ZSTD, Compression.GZIP}) {
      ByteArrayOutputStream fast = new ByteArrayOutputStream();
      ByteArrayOutputStream best = new ByteArrayOutputStream();
      try (OutputStream out = c.compress(fast, 1)) {
        out.write(data);
      }
      try (OutputStream out = c.compress(best, c == Compression.ZSTD ? 19 : 9)) {
        out.write(data);
      }
      assertThat(best.size()).as(c.id()).isLessThan(fast.size());
      for (ByteArrayOutputStream stored : List.of(fast, best)) {
        try (InputStream in = c.decompress(new ByteArrayInputStream(stored.toByteArray()))) {
          assertThat(in.readAllBytes()).isEqualTo(data);
        }
      }
    }
    assertThat(Compression.ZSTD.level(null, "k")).isEqualTo(Compression.DEFAULT_ZSTD_LEVEL);
    assertThat(Compression.GZIP.level(null, "k")).isEqualTo(Compression.DEFAULT_GZIP_LEVEL);
    assertThat(Compression.ZSTD.level(19, "k")).isEqualTo(19);
    assertThatThrownBy(() -> Compression.ZSTD.level(0, "k")).hasMessageContaining("1 to 19");
    assertThatThrownBy(() -> Compression.GZIP.level(10, "k")).hasMessageContaining("1 to 9");
    assertThatThrownBy(() -> Compression.NONE.level(1, "k")).hasMessageContaining("no level");
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void roundTrip(Compression c) throws IOException {
    byte[] data = sample();
    ByteArrayOutputStream stored = new ByteArrayOutputStream();
    try (OutputStream out = c.compress(stored)) {
      // odd-sized chunks, as a network stream would deliver them
      for (int off = 0; off < data.length; off += 7777) {
        out.write(data, off, Math.min(7777, data.length - off));
      }
    }

    byte[] back;
    try (InputStream in = c.decompress(new ByteArrayInputStream(stored.toByteArray()))) {
      back = in.readAllBytes();
    }

    assertThat(back).isEqualTo(data);
    if (c == Compression.NONE) {
      assertThat(stored.size()).isEqualTo(data.length);
    } else {
      assertThat(stored.size()).isLessThan(data.length / 2);
    }
  }

  /**
   * Compression runs on a zstd worker thread (asynchronous, in jobs): the object must still be one
   * standard frame with its checksum that the zstd command line tool (what an operator would reach
   * for) checks and decodes, across several jobs' worth of input.
   */
  @Test
  void zstdObjectsAreReadByTheZstdCommandLineTool(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    byte[] data = new byte[24 * 1024 * 1024];
    byte[] one = sample();
    for (int off = 0; off < data.length; off += one.length) {
      System.arraycopy(one, 0, data, off, Math.min(one.length, data.length - off));
    }
    java.nio.file.Path zst = dir.resolve("object.zst");
    try (OutputStream out = Compression.ZSTD.compress(java.nio.file.Files.newOutputStream(zst))) {
      for (int off = 0; off < data.length; off += 65536) {
        out.write(data, off, Math.min(65536, data.length - off));
      }
    }
    java.nio.file.Path back = dir.resolve("object");
    Process p =
        new ProcessBuilder("zstd", "-q", "-d", zst.toString(), "-o", back.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(output).isZero();
    assertThat(java.nio.file.Files.readAllBytes(back)).isEqualTo(data);
  }

  @Test
  void idsAndSuffixes() {
    assertThat(Compression.ZSTD.id()).isEqualTo("zstd");
    assertThat(Compression.ZSTD.suffix()).isEqualTo(".zst");
    assertThat(Compression.GZIP.suffix()).isEqualTo(".gz");
    assertThat(Compression.NONE.suffix()).isEmpty();
  }

  @Test
  void parseIsCaseInsensitive() {
    assertThat(Compression.parse("zstd")).isEqualTo(Compression.ZSTD);
    assertThat(Compression.parse("GZIP")).isEqualTo(Compression.GZIP);
    assertThat(Compression.parse("none")).isEqualTo(Compression.NONE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"lz4", "", "zst", "bzip2"})
  void unknownCompressionIsRefused(String text) {
    RedisOpsException e =
        catchThrowableOfType(RedisOpsException.class, () -> Compression.parse(text));
    assertThat(e).isNotNull();
    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(e.getMessage()).contains("'" + text + "'").contains("zstd, gzip, none");
  }

  @Test
  void nullIsRefused() {
    RedisOpsException e =
        catchThrowableOfType(RedisOpsException.class, () -> Compression.parse(null));
    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
  }
}
