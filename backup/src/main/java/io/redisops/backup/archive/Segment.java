package io.redisops.backup.archive;

import java.time.Instant;

/**
 * One sealed segment of a dataset's archived replication stream.
 *
 * <p>Its content is the exact bytes the master sent from replication offset {@code startOffset}
 * (inclusive) to {@code endOffset} (exclusive), PING and REPLCONF included, so that the offset of
 * any command is {@code startOffset} plus the stream bytes before it. Between commands the archiver
 * inserts annotation lines {@code #TS:<unix seconds>\r\n} (the receive time, written whenever the
 * second changes, the form Redis' own AOF uses); annotation lines are not part of the stream and do
 * not count in offsets.
 *
 * <p>Offsets count stream bytes the way the master's {@code master_repl_offset} does: {@code
 * startOffset} is the master's offset before the segment's first byte, {@code endOffset} its offset
 * after the last one. A backup whose manifest records {@code stream.offset} X (its RDB's {@code
 * repl-offset}) holds every command before X, so it is continued by the commands at offsets from X
 * on: the segment whose {@code startOffset} is X, or whose range contains X. (The archiver's next
 * {@code PSYNC} asks for {@code endOffset + 1}, Redis' number for the next byte.)
 *
 * <p>Segments of one {@code timeline} are contiguous: each starts at the previous one's {@code
 * endOffset}. Whatever the archiver cannot bridge (a full resynchronisation, a backlog that no
 * longer holds the next byte) starts a new timeline, so a gap is never inside one.
 *
 * @param dataset the dataset it belongs to
 * @param id sorts by time within the dataset
 * @param timeline the contiguous stream it belongs to
 * @param replid the master's replication id while this segment was received (after a failover, the
 *     new master's id: offsets go on without a break)
 * @param startOffset replication offset of the first stream byte
 * @param endOffset replication offset just past the last stream byte
 * @param startDb the database selected at {@code startOffset} ({@code -1} when unknown: the stream
 *     selects one before its first command)
 * @param firstReceived receive time of the first stream byte
 * @param lastReceived receive time of the last stream byte
 * @param sealedAt the archive holds every byte the master sent up to this instant (on this
 *     timeline): a restore to an instant at or before it is covered
 * @param rawSize bytes of content (stream plus annotations)
 * @param sha256Raw SHA-256 (hex) of the content
 */
public record Segment(
    String dataset,
    String id,
    String timeline,
    String replid,
    long startOffset,
    long endOffset,
    int startDb,
    Instant firstReceived,
    Instant lastReceived,
    Instant sealedAt,
    long rawSize,
    String sha256Raw) {}
