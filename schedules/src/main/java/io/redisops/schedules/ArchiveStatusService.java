package io.redisops.schedules;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.archive.ArchiveCoverage;
import io.redisops.backup.archive.ArchiveStore;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.Offsite;
import io.redisops.config.Settings;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisSession;
import io.redisops.sentinel.SentinelClient;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What {@code redis-ops archive status} shows: per dataset the archive's covered ranges and, when
 * its master answers, how far the archive is behind it.
 */
public final class ArchiveStatusService {
  private final BackupContext context;
  private final Offsite offsite;
  private final Clock clock;

  public ArchiveStatusService(BackupContext context, Clock clock) {
    this(context, null, clock);
  }

  /**
   * @param offsite the off-site repository, null when none is configured (no off-site lag)
   */
  public ArchiveStatusService(BackupContext context, Offsite offsite, Clock clock) {
    this.context = context;
    this.offsite = offsite;
    this.clock = clock;
  }

  /**
   * One dataset's archive.
   *
   * @param enabled whether {@code archive.enabled} is set (the daemon archives it)
   * @param ranges the covered ranges, oldest first; empty when it has no archive
   * @param master the master asked for its offset, null when not asked or not found
   * @param masterOffset its {@code master_repl_offset}, null when it did not answer
   * @param lagBytes the master's offset minus the archive's end, null when either is unknown
   * @param lagSeconds seconds since the archive last proved it holds the whole stream, null before
   *     its first segment
   * @param masterError why the master's offset is unknown, null when it answered
   * @param offsiteTo the newest off-site segment record's {@code sealed_at}, null when none (or no
   *     off-site repository)
   * @param offsiteLagSeconds the newest local seal minus {@code offsite_to} (0 when the off-site
   *     archive is up to date), null without an off-site repository or a local segment
   * @param offsiteError why the off-site archive could not be read, null when it could
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record DatasetArchive(
      String dataset,
      boolean enabled,
      List<ArchiveCoverage.Range> ranges,
      String master,
      Long masterOffset,
      Long lagBytes,
      Long lagSeconds,
      String masterError,
      Instant offsiteTo,
      Long offsiteLagSeconds,
      String offsiteError) {}

  /** The archive of {@code ds}; the master is asked only when {@code askMaster}. */
  public DatasetArchive status(Settings.DatasetSettings ds, boolean enabled, boolean askMaster)
      throws IOException {
    ArchiveStore store = new ArchiveStore(context.repository(), context.compression());
    List<ArchiveCoverage.Range> ranges =
        ArchiveCoverage.of(store, context.catalog(ds.name()), ds.name());
    ArchiveCoverage.Range last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
    Instant now = clock.instant();
    Long lagSeconds =
        last == null || last.to() == null
            ? null
            : Math.max(0, Duration.between(last.to(), now).toSeconds());
    String master = null;
    Long masterOffset = null;
    String error = null;
    if (askMaster) {
      try (SentinelClient sentinels = ds.sentinel() == null ? null : new SentinelClient()) {
        RedisEndpoint ep = ArchiveRunner.master(ds, sentinels, clock).get();
        master = ep.toString();
        try (RedisSession s = RedisConnector.connect(ep, context.redisTimeout())) {
          masterOffset = Long.parseLong(s.info("replication").get("master_repl_offset"));
        }
      } catch (RedisOpsException | NumberFormatException e) {
        error = e.getMessage();
      }
    }
    Long lagBytes =
        masterOffset == null || last == null ? null : Math.max(0, masterOffset - last.toOffset());
    Instant offsiteTo = null;
    Long offsiteLag = null;
    String offsiteError = null;
    if (offsite != null) {
      try {
        offsiteTo = newestSealed(offsite.archive(), ds.name());
        if (last != null && last.to() != null) {
          offsiteLag =
              offsiteTo == null
                  ? Math.max(0, Duration.between(last.to(), now).toSeconds())
                  : Math.max(0, Duration.between(offsiteTo, last.to()).toSeconds());
        }
      } catch (IOException | RuntimeException e) {
        offsiteError = e.getMessage();
      }
    }
    return new DatasetArchive(
        ds.name(),
        enabled,
        ranges,
        master,
        masterOffset,
        lagBytes,
        lagSeconds,
        error,
        offsiteTo,
        offsiteLag,
        offsiteError);
  }

  /** The newest record's {@code sealed_at} of the newest timeline, null when none. */
  private static Instant newestSealed(ArchiveStore store, String dataset) throws IOException {
    List<String> timelines = store.timelines(dataset);
    for (int i = timelines.size() - 1; i >= 0; i--) {
      var last = store.lastOf(dataset, timelines.get(i));
      if (last.isPresent()) {
        return last.get().sealedAt();
      }
    }
    return null;
  }
}
