package io.redisops.backup.codec;

import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/**
 * How a stored RDB is compressed. Streams only: nothing here holds more than a codec window in
 * memory.
 */
public enum Compression {
  ZSTD("zstd", ".zst"),
  GZIP("gzip", ".gz"),
  NONE("none", "");

  /**
   * The zstd level of new backups unless {@code repository.compression-level} says otherwise. 2,
   * not the zstd CLI's 3: on the benchmark's data (bench/levels.py, 100 MB RDB, levels interleaved,
   * docs/benchmarks.md "Compression level") a whole backup took 14-17 % less CPU for 2.5 % more
   * bytes; level 1 saved 10 % more CPU for 8.7 % more bytes.
   */
  public static final int DEFAULT_ZSTD_LEVEL = 2;

  /** The gzip level unless configured: the JDK's (zlib's) default. */
  public static final int DEFAULT_GZIP_LEVEL = 6;

  /**
   * Background compression threads (see {@link #compress}): one per core, at most {@link
   * #MAX_ZSTD_WORKERS}. zstd -3 is three quarters of a backup's CPU (bench/: 1.4 s of CPU per 100
   * MB, against 0.4 s for the RDB analysis, CRC64 and both SHA-256 together), so once the server's
   * fork is done the compression must be able to use every core, not one; with one core, one worker
   * still runs it beside the verifying thread.
   */
  static final int ZSTD_WORKERS = zstdWorkers(Runtime.getRuntime().availableProcessors());

  /** Each worker holds its job's input and output: bounded for memory. */
  static final int MAX_ZSTD_WORKERS = 4;

  /**
   * Bytes per zstd job (one worker's unit of work). zstd's default at level 3 is 8 MiB (four
   * windows), which held 48 MiB of native memory with one worker and 58 MiB with two while
   * compressing a 100 MB RDB; 2 MiB jobs hold 20 MiB with two workers, for 0.3 % more bytes and no
   * more CPU (measured in one JVM on the bench mix). Peak RSS matters: backups run with small
   * heaps.
   */
  static final int ZSTD_JOB_SIZE = 2 * 1024 * 1024;

  /** zstd workers for a machine with {@code cores} processors: 1 to {@link #MAX_ZSTD_WORKERS}. */
  static int zstdWorkers(int cores) {
    return Math.max(1, Math.min(cores, MAX_ZSTD_WORKERS));
  }

  private final String id;
  private final String suffix;

  Compression(String id, String suffix) {
    this.id = id;
    this.suffix = suffix;
  }

  /** The name used in configuration and manifests. */
  public String id() {
    return id;
  }

  /** File name suffix: {@code .zst}, {@code .gz} or none. */
  public String suffix() {
    return suffix;
  }

  public static Compression parse(String text) {
    for (Compression c : values()) {
      if (c.id.equals(text == null ? "" : text.toLowerCase(Locale.ROOT))) {
        return c;
      }
    }
    throw RedisOpsException.usage(
        "unknown compression '"
            + text
            + "'; use one of "
            + Arrays.stream(values()).map(Compression::id).collect(Collectors.joining(", ")));
  }

  /** The level used when none is configured ({@code 0} for {@code none}). */
  public int defaultLevel() {
    return switch (this) {
      case ZSTD -> DEFAULT_ZSTD_LEVEL;
      case GZIP -> DEFAULT_GZIP_LEVEL;
      case NONE -> 0;
    };
  }

  /** The lowest and highest level this compression accepts ({@code 0} and {@code 0} for none). */
  private int[] levels() {
    return switch (this) {
      case ZSTD -> new int[] {1, 19};
      case GZIP -> new int[] {1, 9};
      case NONE -> new int[] {0, 0};
    };
  }

  /**
   * {@code level}, or the default when null; refuses (exit 2) a level outside its range, naming
   * {@code key}.
   */
  public int level(Integer level, String key) {
    if (level == null) {
      return defaultLevel();
    }
    int[] r = levels();
    if (this == NONE) {
      throw RedisOpsException.usage(
          key + ": compression none has no level; remove the key or choose zstd or gzip");
    }
    if (level < r[0] || level > r[1]) {
      throw RedisOpsException.usage(
          key
              + ": "
              + level
              + " is not a "
              + id
              + " level; use "
              + r[0]
              + " to "
              + r[1]
              + " (default "
              + defaultLevel()
              + ")");
    }
    return level;
  }

  /**
   * Wraps {@code out} at the default level; closing the returned stream finishes the frame and
   * closes {@code out}.
   */
  public OutputStream compress(OutputStream out) throws IOException {
    return compress(out, defaultLevel());
  }

  /**
   * Wraps {@code out} at {@code level} ({@link #level}); closing the returned stream finishes the
   * frame and closes {@code out}.
   */
  public OutputStream compress(OutputStream out, int level) throws IOException {
    return switch (this) {
      // zstd workers make compression asynchronous: it runs on zstd's own threads while the
      // calling thread parses, checksums and hashes the RDB, so a capture costs the slower of the
      // two, not their sum, and the compression itself spreads over the cores. Same format as the
      // zstd CLI at the same level; the frame is the same whatever the number of workers.
      case ZSTD ->
          ZstdCompressorOutputStream.builder()
              .setOutputStream(out)
              .setLevel(level)
              .setCloseFrameOnFlush(false)
              .setChecksum(true)
              .setWorkers(ZSTD_WORKERS)
              .setJobSize(ZSTD_JOB_SIZE)
              .get();
      case GZIP -> {
        GzipParameters p = new GzipParameters();
        p.setCompressionLevel(level);
        yield new GzipCompressorOutputStream(out, p);
      }
      case NONE -> out;
    };
  }

  public InputStream decompress(InputStream in) throws IOException {
    return switch (this) {
      case ZSTD -> new ZstdCompressorInputStream(in);
      case GZIP ->
          GzipCompressorInputStream.builder()
              .setInputStream(in)
              .setDecompressConcatenated(true)
              .get();
      case NONE -> in;
    };
  }
}
