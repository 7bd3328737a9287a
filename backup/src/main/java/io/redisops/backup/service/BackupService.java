package io.redisops.backup.service;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.rdb.RdbAnalysis;
import io.redisops.backup.rdb.RdbFormatException;
import io.redisops.backup.snapshot.BgsaveSnapshotSource;
import io.redisops.backup.snapshot.Snapshot;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.backup.snapshot.SnapshotSource;
import io.redisops.backup.snapshot.SourceProbe;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisSession;
import io.redisops.text.Hex;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a backup: capture, verify, store, then apply retention. What the {@code backup} command and
 * the daemon call.
 */
public final class BackupService {
  private static final Logger log = LoggerFactory.getLogger(BackupService.class);

  /** How long a BGSAVE may take before we give up (a 1 GB RDB takes well under a minute). */
  public static final Duration BGSAVE_TIMEOUT = Duration.ofHours(1);

  /** How long the replication stream may stay silent (the server's diskless delay comes first). */
  public static final Duration REPLICATION_READ_TIMEOUT = Duration.ofSeconds(60);

  private final BackupContext context;
  private final SnapshotSource bgsave;
  private final SnapshotSource replication;

  public BackupService(BackupContext context, SnapshotSource bgsave, SnapshotSource replication) {
    this.context = context;
    this.bgsave = bgsave;
    this.replication = replication;
  }

  /**
   * The service with both capture methods and their usual timeouts: what the CLI and the daemon
   * use.
   */
  public static BackupService standard(BackupContext context) {
    return new BackupService(
        context,
        new io.redisops.backup.snapshot.BgsaveSnapshotSource(context.clock(), BGSAVE_TIMEOUT),
        new io.redisops.backup.snapshot.ReplicationSnapshotSource(
            context.clock(), context.redisTimeout(), REPLICATION_READ_TIMEOUT));
  }

  public BackupResult backup(BackupRequest request, ProgressListener progress) {
    return backup(request, progress, new AbortHandle());
  }

  /**
   * As {@link #backup(BackupRequest, ProgressListener)}, abandonable from another thread through
   * {@code abort}.
   */
  @SuppressWarnings("try") // the dataset lock is held through the try block, never referenced in it
  public BackupResult backup(BackupRequest request, ProgressListener progress, AbortHandle abort) {
    BackupCatalog catalog = context.catalog(request.dataset());
    Clock clock = context.clock();
    // 1. One operation per dataset: a concurrent backup or restore must not see our half-written
    // files.
    try (DatasetLock lock = context.lock(request.dataset())) {
      // 2. Remove what an interrupted run left (we hold the lock, so nothing is being written).
      int leftovers = catalog.cleanupIncomplete();
      if (leftovers > 0) {
        log.info(
            "removed {} leftover(s) of interrupted backups of {}", leftovers, request.dataset());
      }
      Manifest manifest;
      try (RedisSession session =
          RedisConnector.connect(request.endpoint(), context.redisTimeout())) {
        Closeable sessionHandle = session::close;
        abort.attach(sessionHandle);
        // 3. Who the source is, for the manifest; a server still loading its data has no snapshot
        // to give yet.
        if ("1".equals(session.info("persistence").get("loading"))) {
          throw RedisOpsException.failed(
              "Redis at "
                  + request.endpoint()
                  + " is still loading its dataset into memory"
                  + " (INFO persistence: loading:1); try again once it has finished (loading:0)");
        }
        Manifest.Source source = SourceProbe.probe(session);
        SnapshotMethod method = resolveMethod(request.method(), session);
        Instant started = clock.instant();
        // 4. Capture, and in the same pass verify, hash, compress and store.
        if (abort.aborted()) {
          throw RedisOpsException.failed(
              "backup of " + request.dataset() + " abandoned before capture (stopping)");
        }
        try (Snapshot snapshot =
            (method == SnapshotMethod.BGSAVE ? bgsave : replication).capture(session, progress)) {
          abort.attach(snapshot);
          try {
            RdbOrigin origin =
                new RdbOrigin(
                    "the snapshot from " + request.endpoint(),
                    "check the Redis host's memory and disk",
                    request.tiers(),
                    snapshot.method().id(),
                    source,
                    SourceProbe.serverKeys(session),
                    null,
                    null);
            manifest =
                store(
                    context,
                    catalog,
                    origin,
                    snapshot.stream(),
                    snapshot.size(),
                    snapshot.snapshotTime(),
                    started,
                    "capture",
                    progress);
            snapshot.settle();
          } catch (IOException | RuntimeException e) {
            if (abort.aborted()) {
              throw RedisOpsException.failed(
                  "backup of " + request.dataset() + " abandoned (stopping); nothing was stored",
                  e);
            }
            throw e;
          } finally {
            abort.detach(snapshot);
          }
        } catch (RuntimeException e) {
          if (abort.aborted()) {
            throw RedisOpsException.failed(
                "backup of " + request.dataset() + " abandoned (stopping); nothing was stored", e);
          }
          throw e;
        } finally {
          abort.detach(sessionHandle);
        }
      }
      // 5. Retention, now that the new backup counts.
      List<io.redisops.backup.retention.RetentionPlanner.Decision> retention =
          new PruneService(context).prune(request.dataset(), false, true);
      return new BackupResult(manifest, leftovers, retention);
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "backup of " + request.dataset() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Where an RDB comes from, as its manifest and its error messages tell it.
   *
   * @param subject names the RDB in messages ({@code the snapshot from redis://...}, {@code
   *     '/path/dump.rdb'})
   * @param advice what to do when it fails its CRC64 check
   * @param originPath the file it was read from (import), else null
   * @param expectedSha256 the SHA-256 its bytes must have (import: what the checking pass saw),
   *     else null
   * @param stream the stream position the snapshot corresponds to when the caller knows it better
   *     than the RDB's AUX fields (a {@code +FULLRESYNC} reply), else null
   */
  record RdbOrigin(
      String subject,
      String advice,
      Set<Tier> tiers,
      String method,
      Manifest.Source source,
      Long serverKeys,
      String originPath,
      String expectedSha256,
      Manifest.StreamPosition stream) {

    RdbOrigin(
        String subject,
        String advice,
        Set<Tier> tiers,
        String method,
        Manifest.Source source,
        Long serverKeys,
        String originPath,
        String expectedSha256) {
      this(subject, advice, tiers, method, source, serverKeys, originPath, expectedSha256, null);
    }

    /** The position to record: the caller's, with the AUX fields' database when they agree. */
    Manifest.StreamPosition position(java.util.Map<String, String> aux) {
      Manifest.StreamPosition fromRdb = Manifest.StreamPosition.fromAux(aux);
      if (stream == null) {
        return fromRdb;
      }
      if (fromRdb != null
          && fromRdb.replid().equals(stream.replid())
          && fromRdb.offset() == stream.offset()) {
        return fromRdb;
      }
      return stream;
    }
  }

  /**
   * Stores a snapshot the point-in-time archiver received with a {@code +FULLRESYNC}: verified and
   * stored like any backup (hourly tier, method {@code replication}), its manifest's {@code stream}
   * the resynchronisation's position, then retention. Takes the dataset's lock, waiting up to
   * {@code lockWait} for a running backup or restore.
   *
   * @param master the master that sent it (asked once more for the manifest's {@code source})
   * @param snapshotTime when the master began sending it
   * @throws RedisOpsException REFUSED (exit 5) when the lock stays held; INTEGRITY when the RDB
   *     fails verification (nothing stored)
   */
  @SuppressWarnings("try") // the dataset lock is held through the try block, never referenced in it
  public Manifest storeBase(
      String dataset,
      io.redisops.redis.RedisEndpoint master,
      InputStream rdb,
      Instant snapshotTime,
      Manifest.StreamPosition position,
      Duration lockWait)
      throws IOException {
    BackupCatalog catalog = context.catalog(dataset);
    io.redisops.time.Deadline deadline = io.redisops.time.Deadline.after(context.clock(), lockWait);
    DatasetLock held = null;
    while (held == null) {
      try {
        held = context.lock(dataset);
      } catch (DatasetLock.Held e) {
        if (deadline.passed()) {
          throw e;
        }
        io.redisops.time.Deadline.pause(Duration.ofMillis(200));
      }
    }
    try (DatasetLock lock = held) {
      catalog.cleanupIncomplete();
      Manifest.Source source;
      Long serverKeys = null;
      try (RedisSession session = RedisConnector.connect(master, context.redisTimeout())) {
        source = SourceProbe.probe(session);
        serverKeys = SourceProbe.serverKeys(session);
      } catch (RuntimeException e) {
        log.debug("the master {} could not be probed for the base's manifest", master, e);
        source =
            new Manifest.Source(
                master.host(),
                master.port(),
                "master",
                null,
                position.replid(),
                position.offset(),
                null);
      }
      RdbOrigin origin =
          new RdbOrigin(
              "the full resynchronisation from " + master,
              "check the master's memory and disk",
              EnumSet.of(Tier.HOURLY),
              SnapshotMethod.REPLICATION.id(),
              source,
              serverKeys,
              null,
              null,
              position);
      Manifest m =
          store(
              context,
              catalog,
              origin,
              rdb,
              -1,
              snapshotTime,
              snapshotTime,
              "archive base",
              ProgressListener.NONE);
      new PruneService(context).prune(dataset, false, true);
      return m;
    }
  }

  /**
   * The one way an RDB becomes a backup (capture and import alike): one pass verifies, hashes and
   * compresses it into the repository, an RDB that fails verification is dropped, and the manifest
   * is written last. Hold the dataset's lock.
   *
   * @param task what the progress shows before the backup's name ({@code capture}, {@code import
   *     2/7})
   */
  static Manifest store(
      BackupContext context,
      BackupCatalog catalog,
      RdbOrigin origin,
      InputStream rdb,
      long size,
      Instant snapshotTime,
      Instant started,
      String task,
      ProgressListener progress)
      throws IOException {
    Compression compression = context.compression();
    String id = catalog.newId(snapshotTime);
    String object = "dump.rdb" + compression.suffix();
    SnapshotStore.Outcome[] outcome = new SnapshotStore.Outcome[1];
    progress.begin(task + " " + catalog.dataset() + "/" + id, size);
    try {
      context
          .repository()
          .write(
              catalog.objectKey(id, object),
              out -> {
                // Throwing inside the body makes the repository drop the object: a bad RDB is never
                // stored.
                try {
                  outcome[0] =
                      SnapshotStore.store(
                          rdb, out, compression, context.compressionLevel(), progress);
                } catch (RdbFormatException e) {
                  throw RedisOpsException.integrity(
                      origin.subject() + " " + notAnRdb(e) + "; nothing was stored");
                }
                String crc = crcProblem(outcome[0].analysis());
                if (crc != null) {
                  throw RedisOpsException.integrity(
                      origin.subject() + " " + crc + "; nothing was stored; " + origin.advice());
                }
                if (origin.expectedSha256() != null
                    && !origin.expectedSha256().equals(outcome[0].rawSha256())) {
                  throw RedisOpsException.failed(
                      origin.subject()
                          + " changed while it was being read (SHA-256 "
                          + outcome[0].rawSha256()
                          + ", checked as "
                          + origin.expectedSha256()
                          + "); nothing was stored");
                }
              });
    } finally {
      progress.end();
    }
    SnapshotStore.Outcome o = outcome[0];
    RdbAnalysis a = o.analysis();
    Instant done = context.clock().instant();
    Manifest m =
        new Manifest(
            Manifest.FORMAT_VERSION,
            id,
            catalog.dataset(),
            snapshotTime,
            done,
            EnumSet.copyOf(origin.tiers()),
            origin.method(),
            origin.source(),
            a.rdbVersion(),
            object,
            o.rawSize(),
            o.storedSize(),
            compression.id(),
            Manifest.NOT_ENCRYPTED,
            null,
            o.rawSha256(),
            o.storedSha256(),
            a.crcPresent() ? Hex.crc64(a.storedCrc()) : null,
            a.keyCountsAvailable(),
            new TreeMap<>(a.keysPerDb()),
            new TreeMap<>(a.expiresPerDb()),
            a.keyCountsAvailable() ? a.totalKeys() : null,
            Duration.between(started, done).toMillis(),
            context.toolVersion(),
            a.engine(),
            a.verification().label(),
            a.verificationNote(),
            origin.serverKeys(),
            origin.originPath(),
            a.valueTypes(),
            origin.position(a.aux()));
    CHECKSUM_ONLY.warnOnce(catalog.dataset(), a);
    if (!a.crcPresent()) {
      log.warn(
          "the RDB of {} carries no CRC64 (rdbchecksum no): only its SHA-256 protects this backup",
          id);
    }
    // 5. The manifest last: from now on the backup exists.
    try {
      catalog.saveManifest(m);
    } catch (IOException | RuntimeException e) {
      // No manifest, no backup: its data must not linger (it may be what filled the disk) until the
      // next run.
      try {
        catalog.discard(id);
        log.warn(
            "the manifest of backup {}/{} could not be written; its data was removed",
            catalog.dataset(),
            id);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    log.info(
        "backup {}/{} stored: {} keys, {} bytes raw, {} stored",
        catalog.dataset(),
        id,
        m.describeTotalKeys(),
        m.rawSize(),
        m.storedSize());
    return m;
  }

  /**
   * Why a parsed RDB fails verification ({@code fails its CRC64 check (...)}), or null when it
   * passes.
   */
  static String crcProblem(RdbAnalysis a) {
    if (a.crcOk()) {
      return null;
    }
    return "fails its CRC64 check (stored "
        + Hex.crc64(a.storedCrc())
        + ", computed "
        + Hex.crc64(a.computedCrc())
        + ")";
  }

  /** Why an RDB that could not be parsed is refused: {@code is not a valid RDB: ...}. */
  static String notAnRdb(RdbFormatException e) {
    return "is not a valid RDB: " + e.getMessage();
  }

  /** One warning per dataset and process when a snapshot could be verified only by its checksum. */
  static final ChecksumOnlyWarning CHECKSUM_ONLY = new ChecksumOnlyWarning();

  /**
   * AUTO picks bgsave when the server's data directory is readable from this host, else
   * replication.
   */
  private SnapshotMethod resolveMethod(SnapshotMethod requested, RedisSession session) {
    if (requested != SnapshotMethod.AUTO) {
      return requested;
    }
    Optional<Path> rdb =
        session.endpoint().onThisHost() ? BgsaveSnapshotSource.rdbPath(session) : Optional.empty();
    boolean readable =
        rdb.isPresent()
            && Files.isDirectory(rdb.get().getParent())
            && Files.isReadable(rdb.get().getParent());
    SnapshotMethod chosen = readable ? SnapshotMethod.BGSAVE : SnapshotMethod.REPLICATION;
    log.info(
        "capture method: {} ({})",
        chosen.id(),
        readable
            ? "data directory " + rdb.get().getParent() + " is readable"
            : "data directory not readable from here");
    return chosen;
  }
}
