package io.redisops.recovery.aof;

import java.nio.file.Path;

/**
 * One file of an AOF.
 *
 * @param name the file name as the manifest (or {@code appendfilename}) gives it
 * @param path where it is
 * @param type base (RDB or RESP), incr (RESP commands), history (left over by a rewrite), or the
 *     single file of the pre-7.0 layout
 * @param seq the manifest's sequence number (0 for a single file)
 */
public record AofFile(String name, Path path, Type type, long seq) {

  /** The role of a file in the AOF. */
  public enum Type {
    BASE,
    INCR,
    HISTORY,
    SINGLE;

    /**
     * Whether the file holds RESP commands after any RDB preamble that redis-ops can parse and
     * edit.
     */
    public boolean holdsCommands() {
      return this == INCR || this == SINGLE;
    }
  }
}
