package io.redisops.backup.service;

import io.redisops.backup.codec.Compression;
import io.redisops.backup.io.CountingDigestOutputStream;
import io.redisops.backup.io.ReadAhead;
import io.redisops.backup.io.TappedInputStream;
import io.redisops.backup.rdb.RdbAnalysis;
import io.redisops.backup.rdb.RdbAnalyzer;
import io.redisops.progress.ProgressListener;
import io.redisops.text.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The single streaming pass of a backup: RDB bytes in, analysed (magic, structure, key counts,
 * CRC64) and hashed on the way, compressed into the stored object. Memory is a few buffers whatever
 * the RDB's size.
 */
final class SnapshotStore {
  private SnapshotStore() {}

  /** What one pass learned. */
  record Outcome(
      RdbAnalysis analysis, long rawSize, String rawSha256, long storedSize, String storedSha256) {}

  /** {@code level}: the compression's level ({@link Compression#level}). */
  static Outcome store(
      InputStream rdb,
      OutputStream target,
      Compression compression,
      int level,
      ProgressListener progress)
      throws IOException {
    CountingDigestOutputStream stored = new CountingDigestOutputStream(target, Hex.sha256());
    OutputStream compressor = compression.compress(stored, level);
    TappedInputStream raw = new TappedInputStream(rdb, Hex.sha256(), compressor, progress);
    RdbAnalysis analysis = RdbAnalyzer.analyze(raw);
    raw.drain();
    compressor
        .close(); // ends the frame; the repository's stream ignores the close and fsyncs itself
    return new Outcome(analysis, raw.count(), raw.hex(), stored.count(), stored.hex());
  }

  /** Reads a stored object back through decompression: the same checks without writing anything. */
  static Outcome reread(
      InputStream storedObject, Compression compression, ProgressListener progress)
      throws IOException {
    return reread(storedObject, compression, progress, null);
  }

  /**
   * As {@link #reread(InputStream, Compression, ProgressListener)}, copying the raw RDB to {@code
   * rawSink} (may be null).
   */
  static Outcome reread(
      InputStream storedObject,
      Compression compression,
      ProgressListener progress,
      OutputStream rawSink)
      throws IOException {
    TappedInputStream stored = new TappedInputStream(storedObject, Hex.sha256(), null, progress);
    // decompression and the stored bytes' SHA-256 on a second thread, the RDB's checks on this one
    InputStream decompressed = ReadAhead.of(compression.decompress(stored));
    TappedInputStream raw =
        new TappedInputStream(decompressed, Hex.sha256(), rawSink, ProgressListener.NONE);
    RdbAnalysis analysis;
    try {
      analysis = RdbAnalyzer.analyze(raw);
      raw.drain();
      stored.drain(); // the second thread is done: it has read the frame's end
    } finally {
      decompressed.close();
    }
    return new Outcome(analysis, raw.count(), raw.hex(), stored.count(), stored.hex());
  }
}
