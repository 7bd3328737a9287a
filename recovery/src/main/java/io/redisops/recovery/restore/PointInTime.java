package io.redisops.recovery.restore;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;

/**
 * A restore to an instant from the archive: where the stream is cut and what it brings back beyond
 * the base. Saved in the restore's state (for {@code --resume}/{@code --rollback}) and printed by
 * {@code --dry-run} and {@code --json}.
 *
 * @param at the instant asked for; with {@code archiveEnd}, the archive's end (the last segment's
 *     {@code sealed_at})
 * @param lastSecond the last second whose commands are applied (unix seconds; see {@link
 *     io.redisops.recovery.pitr.CutRule})
 * @param archive which archive holds the segments ({@code local}, {@code offsite})
 * @param timeline the timeline read
 * @param segments ids of the segments from the one holding the base's position to the first sealed
 *     at or after the instant
 * @param firstSegment the first segment read
 * @param lastSegment the last segment read
 * @param segmentsRead how many were read
 * @param baseOffset the base's replication offset (where the stream is taken up)
 * @param cutOffset the replication offset where the applied part ends
 * @param db the database selected first
 * @param commands commands applied after the base
 * @param lastCommand the last one as an operator reads it ({@code SET w:17}), or null
 * @param lastCommandTime its second, or null
 * @param endedByTime true when the cut is at a command after the instant, false when the archive
 *     ended first
 * @param layout the folder the AOF is laid out in before it becomes the data directory's AOF folder
 * @param archiveEnd {@code restore --at now}: every command the chain holds is applied, up to its
 *     last seal ({@code lastSecond} is then the chain's latest second)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PointInTime(
    Instant at,
    long lastSecond,
    String archive,
    String timeline,
    List<String> segments,
    String firstSegment,
    String lastSegment,
    int segmentsRead,
    long baseOffset,
    long cutOffset,
    int db,
    long commands,
    String lastCommand,
    Instant lastCommandTime,
    boolean endedByTime,
    String layout,
    boolean archiveEnd) {

  public PointInTime {
    segments = segments == null ? List.of() : List.copyOf(segments);
  }

  /** One line for the plan and the report. */
  public String describe() {
    return (archiveEnd ? "to the end of the archive (sealed up to " + at + "): " : "")
        + commands
        + " commands after the base from "
        + segmentsRead
        + " segment(s) of the "
        + archive
        + " archive ("
        + firstSegment
        + (segmentsRead > 1 ? " .. " + lastSegment : "")
        + ", offsets "
        + baseOffset
        + " to "
        + cutOffset
        + ")"
        + (lastCommand == null
            ? ", none before the cut"
            : ", the last "
                + lastCommand
                + " received at "
                + lastCommandTime
                + (archiveEnd
                    ? " (the last command the archive holds)"
                    : " (the commands of that second and earlier are applied)"));
  }
}
