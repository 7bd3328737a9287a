package io.redisops.recovery.aof;

import java.nio.file.Path;
import java.util.List;

/**
 * Where an AOF is.
 *
 * @param dataDir the Redis data directory ({@code dir}); quarantine copies go below it
 * @param aofDir the folder holding the AOF files ({@code appendonlydir} for Redis 7, the data
 *     directory before)
 * @param target what {@code redis-check-aof} is given: the manifest (multi-part) or the single file
 * @param multiPart whether this is the Redis 7 layout with a manifest
 * @param files the files Redis loads, in load order (base first)
 */
public record AofLocation(
    Path dataDir, Path aofDir, Path target, boolean multiPart, List<AofFile> files) {

  public AofLocation {
    files = List.copyOf(files);
  }

  /** The file redis-ops may edit: the last incr file, or the single file. */
  public AofFile last() {
    return files.get(files.size() - 1);
  }

  /** What is copied into quarantine: the whole AOF folder (multi-part) or the single file. */
  public Path copySource() {
    return multiPart ? aofDir : target;
  }
}
