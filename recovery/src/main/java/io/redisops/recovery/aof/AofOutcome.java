package io.redisops.recovery.aof;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What a repair or an undo did (or a rollback of one).
 *
 * @param aofDir the AOF folder worked on
 * @param quarantine the folder holding the copy of the AOF as it was, or null when nothing was
 *     changed
 * @param removedBytes bytes cut from the last file
 * @param removedCommands commands cut (the damaged one included), or -1 when unknown
 * @param removed what was cut, as operators read it (the flushes for an undo; empty for a repair)
 * @param lastIntactTime time of the last command kept, when {@code #TS} lines tell it
 * @param after the check after the change (null when nothing was changed)
 * @param keysBefore keys before (-1 when Redis was not running)
 * @param keysAfter keys after the restart (-1 when Redis was not started)
 * @param startedPid pid of the Redis started again, or -1
 * @param steps what was done, in order
 * @param rolledBack for a rollback ({@code --rollback}): what it did in one line; null otherwise
 */
public record AofOutcome(
    Path aofDir,
    Path quarantine,
    long removedBytes,
    long removedCommands,
    List<String> removed,
    Instant lastIntactTime,
    AofReport after,
    long keysBefore,
    long keysAfter,
    long startedPid,
    List<String> steps,
    String rolledBack) {

  public AofOutcome {
    removed = List.copyOf(removed);
    steps = List.copyOf(steps);
  }
}
