package io.redisops.backup.archive;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** Reads a dataset's archived stream, whatever repository holds it (local or off-site). */
public interface ArchiveReader {

  /** Every sealed segment of the dataset, ordered by timeline, then by start offset. */
  List<Segment> segments(String dataset) throws IOException;

  /**
   * The content of one segment, decompressed and decrypted. It is checked against {@link
   * Segment#sha256Raw()} while read: a mismatch fails the read at its end with an {@link
   * io.redisops.error.RedisOpsException} of the integrity kind (exit 3).
   */
  InputStream open(Segment segment) throws IOException;
}
