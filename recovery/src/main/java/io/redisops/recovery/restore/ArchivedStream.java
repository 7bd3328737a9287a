package io.redisops.recovery.restore;

import io.redisops.backup.archive.ArchiveReader;
import io.redisops.backup.archive.Segment;
import java.util.List;

/**
 * The archived stream a point-in-time restore applies after its base: the cut ({@link
 * PointInTime}), the segments it reads and the archive that holds them.
 */
public record ArchivedStream(PointInTime cut, List<Segment> chain, ArchiveReader reader) {
  public ArchivedStream {
    chain = List.copyOf(chain);
  }
}
