package io.redisops.backup.archive;

import java.time.Instant;

/**
 * What an archiver is doing, as the daemon's status, metrics and notifications read it.
 *
 * @param dataset the dataset archived
 * @param state what it does now
 * @param master the master it streams from (as shown in messages), null when not connected
 * @param timeline the timeline it continues, null before the first connection
 * @param replid the replication id of the stream it receives
 * @param receivedOffset the stream position received so far
 * @param durableOffset the stream position sealed (what it acknowledges to the master)
 * @param lastSealedAt when the newest segment was sealed (or its sealed_at moved on), null before
 * @param lastError why the last connection ended or failed, null when none did
 * @param errorSince since when it has been failing to stream, null while it streams
 * @param gaps the gaps it recorded since it started
 * @param segment how often it seals a segment
 * @param offsiteLag how far the off-site archive is behind the local one (the newest local seal
 *     minus the newest off-site record's {@code sealed_at}), null when no off-site repository is
 *     configured or nothing is sealed yet
 */
public record ArchiverStatus(
    String dataset,
    State state,
    String master,
    String timeline,
    String replid,
    long receivedOffset,
    long durableOffset,
    Instant lastSealedAt,
    String lastError,
    Instant errorSince,
    int gaps,
    java.time.Duration segment,
    java.time.Duration offsiteLag) {

  /** The same status with the off-site pusher's lag. */
  public ArchiverStatus withOffsiteLag(java.time.Duration lag) {
    return new ArchiverStatus(
        dataset,
        state,
        master,
        timeline,
        replid,
        receivedOffset,
        durableOffset,
        lastSealedAt,
        lastError,
        errorSince,
        gaps,
        segment,
        lag);
  }

  /** The archiver's state. */
  public enum State {
    STARTING,
    STREAMING,
    RECONNECTING,
    STOPPED
  }
}
