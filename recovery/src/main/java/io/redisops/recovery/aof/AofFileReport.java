package io.redisops.recovery.aof;

import java.time.Instant;

/**
 * What {@code aof check} found in one file.
 *
 * @param name file name
 * @param type base, incr or single
 * @param status valid, damaged, missing, or not checked (redis-check-aof stops at the first damaged
 *     file)
 * @param size bytes
 * @param validUpTo offset up to which the file is intact ({@code ok_up_to}); -1 when unknown
 *     (damaged RDB part)
 * @param bytesAfter bytes after that point (what a repair cuts)
 * @param commandsAfter the damaged command and the complete commands after it (-1 when unknown)
 * @param commands intact commands before that point (-1 when not counted: RDB files)
 * @param lastIntactTime the last {@code #TS} time before that point, or null when the file has no
 *     {@code #TS} lines
 * @param problem redis-check-aof's or redis-ops's words on the damage, or null
 */
public record AofFileReport(
    String name,
    AofFile.Type type,
    Status status,
    long size,
    long validUpTo,
    long bytesAfter,
    long commandsAfter,
    long commands,
    Instant lastIntactTime,
    String problem) {

  /** The state of one file. */
  public enum Status {
    VALID,
    DAMAGED,
    MISSING,
    NOT_CHECKED
  }

  public boolean damaged() {
    return status == Status.DAMAGED || status == Status.MISSING;
  }
}
