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
   * zstd level 3, what {@code zstd -3} (the CLI's default) uses: a good ratio at a speed that keeps
   * up with disks.
   */
  static final int ZSTD_LEVEL = 3;

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

  /** Wraps {@code out}; closing the returned stream finishes the frame and closes {@code out}. */
  public OutputStream compress(OutputStream out) throws IOException {
    return switch (this) {
      // zstd workers make compression asynchronous: it runs on zstd's own threads while the
      // calling thread parses, checksums and hashes the RDB, so a capture costs the slower of the
      // two, not their sum, and the compression itself spreads over the cores. Same format, same
      // level as `zstd -3`; the frame is the same whatever the number of workers.
      case ZSTD ->
          ZstdCompressorOutputStream.builder()
              .setOutputStream(out)
              .setLevel(ZSTD_LEVEL)
              .setCloseFrameOnFlush(false)
              .setChecksum(true)
              .setWorkers(ZSTD_WORKERS)
              .setJobSize(ZSTD_JOB_SIZE)
              .get();
      case GZIP -> new GzipCompressorOutputStream(out);
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
