package io.redisops.backup.service;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.io.Hex;
import io.redisops.backup.progress.ProgressListener;
import io.redisops.backup.rdb.RdbAnalysis;
import io.redisops.backup.rdb.RdbFormatException;
import io.redisops.backup.snapshot.BgsaveSnapshotSource;
import io.redisops.backup.snapshot.Snapshot;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.backup.snapshot.SnapshotSource;
import io.redisops.backup.snapshot.SourceProbe;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisSession;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Takes a backup: capture, verify, store, then apply retention. What the {@code backup} command and the daemon call. */
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

  /** The service with both capture methods and their usual timeouts: what the CLI and the daemon use. */
  public static BackupService standard(BackupContext context) {
    return new BackupService(context, new io.redisops.backup.snapshot.BgsaveSnapshotSource(context.clock(), BGSAVE_TIMEOUT),
        new io.redisops.backup.snapshot.ReplicationSnapshotSource(context.clock(), context.redisTimeout(),
            REPLICATION_READ_TIMEOUT));
  }

  public BackupResult backup(BackupRequest request, ProgressListener progress) {
    return backup(request, progress, new AbortHandle());
  }

  /** As {@link #backup(BackupRequest, ProgressListener)}, abandonable from another thread through {@code abort}. */
  public BackupResult backup(BackupRequest request, ProgressListener progress, AbortHandle abort) {
    BackupCatalog catalog = context.catalog(request.dataset());
    Clock clock = context.clock();
    // 1. One operation per dataset: a concurrent backup or restore must not see our half-written files.
    try (DatasetLock lock = context.lock(request.dataset())) {
      // 2. Remove what an interrupted run left (we hold the lock, so nothing is being written).
      int leftovers = catalog.cleanupIncomplete();
      if (leftovers > 0) {
        log.info("removed {} leftover(s) of interrupted backups of {}", leftovers, request.dataset());
      }
      Manifest manifest;
      try (RedisSession session = RedisConnector.connect(request.endpoint(), context.redisTimeout())) {
        Closeable sessionHandle = session::close;
        abort.attach(sessionHandle);
        // 3. Who the source is, for the manifest.
        Manifest.Source source = SourceProbe.probe(session);
        SnapshotMethod method = resolveMethod(request.method(), session);
        Instant started = clock.instant();
        // 4. Capture, and in the same pass verify, hash, compress and store.
        if (abort.aborted()) {
          throw RedisOpsException.failed("backup of " + request.dataset() + " abandoned before capture (stopping)");
        }
        try (Snapshot snapshot = (method == SnapshotMethod.BGSAVE ? bgsave : replication).capture(session, progress)) {
          abort.attach(snapshot);
          try {
            manifest = store(catalog, request, source, snapshot, started, progress);
          } catch (IOException | RuntimeException e) {
            if (abort.aborted()) {
              throw RedisOpsException.failed("backup of " + request.dataset() + " abandoned (stopping); nothing was stored", e);
            }
            throw e;
          } finally {
            abort.detach(snapshot);
          }
        } catch (RuntimeException e) {
          if (abort.aborted()) {
            throw RedisOpsException.failed("backup of " + request.dataset() + " abandoned (stopping); nothing was stored", e);
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
      throw RedisOpsException.failed("backup of " + request.dataset() + " failed: " + e.getMessage(), e);
    }
  }

  private Manifest store(BackupCatalog catalog, BackupRequest request, Manifest.Source source, Snapshot snapshot,
      Instant started, ProgressListener progress) throws IOException {
    Compression compression = context.compression();
    String id = catalog.newId(snapshot.snapshotTime());
    String object = "dump.rdb" + compression.suffix();
    SnapshotStore.Outcome[] outcome = new SnapshotStore.Outcome[1];
    progress.begin("capture " + request.dataset() + "/" + id, snapshot.size());
    try {
      context.repository().write(catalog.objectKey(id, object), out -> {
        try {
          outcome[0] = SnapshotStore.store(snapshot.stream(), out, compression, progress);
        } catch (RdbFormatException e) {
          throw RedisOpsException.integrity("the snapshot from " + request.endpoint() + " is not a valid RDB: "
              + e.getMessage() + "; nothing was stored");
        }
        if (!outcome[0].analysis().crcOk()) {
          // Throwing inside the body makes the repository drop the object: a bad snapshot is never stored.
          throw RedisOpsException.integrity("the snapshot from " + request.endpoint() + " fails its CRC64 check (stored "
              + Hex.crc64(outcome[0].analysis().storedCrc()) + ", computed " + Hex.crc64(outcome[0].analysis().computedCrc())
              + "); nothing was stored; check the Redis host's memory and disk");
        }
      });
    } finally {
      progress.end();
    }
    SnapshotStore.Outcome o = outcome[0];
    RdbAnalysis a = o.analysis();
    Instant done = context.clock().instant();
    Manifest m = new Manifest(Manifest.FORMAT_VERSION, id, request.dataset(), snapshot.snapshotTime(), done,
        EnumSet.copyOf(request.tiers()), snapshot.method().id(), source, a.rdbVersion(), object, o.rawSize(),
        o.storedSize(), compression.id(), Manifest.NOT_ENCRYPTED, null, o.rawSha256(), o.storedSha256(),
        a.crcPresent() ? Hex.crc64(a.storedCrc()) : null, a.keyCountsAvailable(), new TreeMap<>(a.keysPerDb()),
        new TreeMap<>(a.expiresPerDb()), Math.max(0, a.totalKeys()), Duration.between(started, done).toMillis(),
        context.toolVersion());
    if (!a.crcPresent()) {
      log.warn("the RDB of {} carries no CRC64 (rdbchecksum no): only its SHA-256 protects this backup", id);
    }
    // 5. The manifest last: from now on the backup exists.
    catalog.saveManifest(m);
    log.info("backup {}/{} stored: {} keys, {} bytes raw, {} stored", request.dataset(), id, m.totalKeys(),
        m.rawSize(), m.storedSize());
    return m;
  }

  /** AUTO picks bgsave when the server's data directory is readable from this host, else replication. */
  private SnapshotMethod resolveMethod(SnapshotMethod requested, RedisSession session) {
    if (requested != SnapshotMethod.AUTO) {
      return requested;
    }
    Optional<Path> rdb = isLocal(session.endpoint().host()) ? BgsaveSnapshotSource.rdbPath(session) : Optional.empty();
    boolean readable = rdb.isPresent() && Files.isDirectory(rdb.get().getParent()) && Files.isReadable(rdb.get().getParent());
    SnapshotMethod chosen = readable ? SnapshotMethod.BGSAVE : SnapshotMethod.REPLICATION;
    log.info("capture method: {} ({})", chosen.id(),
        readable ? "data directory " + rdb.get().getParent() + " is readable" : "data directory not readable from here");
    return chosen;
  }

  static boolean isLocal(String host) {
    try {
      InetAddress a = InetAddress.getByName(host);
      return a.isLoopbackAddress() || a.isAnyLocalAddress() || NetworkInterface.getByInetAddress(a) != null;
    } catch (IOException e) {
      return false;
    }
  }
}
