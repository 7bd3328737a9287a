package io.redisops.recovery.drill;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.DrillLog;
import io.redisops.backup.catalog.DrillRecord;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.Offsite;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.recovery.kernel.ProcessControl;
import io.redisops.recovery.kernel.Quarantine;
import io.redisops.recovery.kernel.ServiceCommands;
import io.redisops.recovery.restore.BackupSource;
import io.redisops.recovery.restore.KeyCounts;
import io.redisops.recovery.restore.LocalBackupSource;
import io.redisops.recovery.restore.OffsiteBackupSource;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisSession;
import io.redisops.secret.Secret;
import io.redisops.text.Sizes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restore drills: loads one backup into a scratch server of its source's engine and version (a
 * {@link DrillServer}) on a free loopback port in a temporary folder, compares the key counts per
 * database with the manifest and records the outcome beside the manifest ({@link DrillLog}), never
 * changing the manifest. The scratch server is started and stopped by the recovery kernel's {@link
 * ProcessControl}, never writes (no save points, {@code SHUTDOWN NOSAVE}), has a password of its
 * own and is removed with its folder whatever happens.
 *
 * <p>What a drill says: a backup that fails verification, that the server will not load, or whose
 * loaded key counts differ from its manifest is recorded as failed. What is not the backup's fault
 * (no server program at hand, too little memory or disk, an unreadable repository) is refused or
 * fails without a record.
 */
public final class DrillService {
  private static final Logger log = LoggerFactory.getLogger(DrillService.class);

  /**
   * A drill may use at most this share of the host's available memory; the RDB is assumed to take
   * up to {@link #MEMORY_PER_RDB_BYTE} times its size once loaded.
   */
  static final double MEMORY_SHARE = 0.5;

  static final int MEMORY_PER_RDB_BYTE = 2;

  private final BackupContext local;
  private final Offsite offsite;
  private final Options options;
  private final Clock clock;
  private final LongSupplier availableMemory;

  /**
   * @param server {@code drill.server}, or null to use the source's own program
   * @param workRoot where the temporary folders go ({@code $TMPDIR}, else the JVM's temporary
   *     folder)
   * @param timeouts the waits of the process control (start, load, stop)
   */
  public record Options(Path server, Path workRoot, ProcessControl.Timeouts timeouts) {
    public static Options defaults(Path server) {
      String tmp = System.getenv("TMPDIR");
      return new Options(
          server,
          Path.of(tmp == null || tmp.isBlank() ? System.getProperty("java.io.tmpdir") : tmp),
          ProcessControl.Timeouts.defaults());
    }
  }

  /**
   * One drill.
   *
   * @param dataset the dataset
   * @param backupId the backup, or null for the newest one
   * @param tier with a null id, the newest backup of this tier (null: of any tier)
   * @param offsite read the off-site copy (else the local one)
   * @param source the dataset's Redis, asked for its program when {@code drill.server} is not set
   *     (null when none is configured)
   */
  public record Request(
      String dataset, String backupId, Tier tier, boolean offsite, RedisEndpoint source) {}

  /** A drill that ran: its record (also stored beside the manifest), and where it was read from. */
  public record Outcome(DrillRecord record, Manifest backup, String repository) {}

  /**
   * @param offsite the off-site repository, or null when none is configured
   */
  public DrillService(BackupContext local, Offsite offsite, Options options, Clock clock) {
    this(local, offsite, options, clock, DrillService::memAvailable);
  }

  DrillService(
      BackupContext local,
      Offsite offsite,
      Options options,
      Clock clock,
      LongSupplier availableMemory) {
    this.local = local;
    this.offsite = offsite;
    this.options = options;
    this.clock = clock;
    this.availableMemory = availableMemory;
  }

  /**
   * Runs one drill and records it.
   *
   * @throws RedisOpsException exit 4 when there is no such backup, 2 when no server program of the
   *     source's engine and version is at hand, 5 when memory or disk are too short; nothing is
   *     recorded then
   */
  public Outcome drill(Request r, ProgressListener progress) throws IOException {
    if (r.offsite() && offsite == null) {
      throw RedisOpsException.usage(
          "--from offsite: no off-site repository is configured (set offsite.uri or --offsite);"
              + " use --from local");
    }
    BackupCatalog catalog =
        r.offsite() ? offsite.remote().catalog(r.dataset()) : local.catalog(r.dataset());
    BackupSource source =
        r.offsite() ? new OffsiteBackupSource(offsite) : new LocalBackupSource(local);
    Manifest m = choose(catalog, r);
    DrillServer server =
        DrillServer.locate(m, options.server(), r.source(), options.timeouts().redis());
    long maxmemory = guardMemory(m);
    guardDisk(m);

    Instant started = clock.instant();
    Path dir =
        Files.createTempDirectory(
            options.workRoot(),
            "redis-ops-drill-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Attempt a;
    try {
      a = attempt(r.dataset(), m, source, server, dir, maxmemory, progress);
    } finally {
      Quarantine.deleteTree(dir);
    }
    DrillRecord record =
        new DrillRecord(
            DrillRecord.FORMAT_VERSION,
            m.id(),
            r.dataset(),
            r.offsite() ? DrillRecord.FROM_OFFSITE : DrillRecord.FROM_LOCAL,
            started,
            clock.instant(),
            a.reason() == null ? DrillRecord.PASS : DrillRecord.FAIL,
            a.reason(),
            a.loadSeconds(),
            m.keysKnown() ? new TreeMap<>(m.keys()) : null,
            a.loaded() == null ? null : new TreeMap<>(a.loaded()),
            a.loaded() == null ? null : KeyCounts.total(a.loaded()),
            server.describe(),
            local.toolVersion());
    new DrillLog(catalog).record(record);
    if (!record.passed()) {
      log.warn("drill of backup {}/{} failed: {}", r.dataset(), m.id(), record.reason());
    }
    return new Outcome(record, m, source.describe());
  }

  /** What the scratch server said: the reason of a failure (null: passed). */
  private record Attempt(String reason, Double loadSeconds, Map<Integer, Long> loaded) {}

  private Attempt attempt(
      String dataset,
      Manifest m,
      BackupSource source,
      DrillServer server,
      Path dir,
      long maxmemory,
      ProgressListener progress)
      throws IOException {
    Path rdb = dir.resolve("dump.rdb");
    try {
      source.fetch(dataset, m, rdb, progress);
    } catch (RedisOpsException e) {
      if (e.exitCode() != ExitCode.INTEGRITY) {
        throw e;
      }
      return new Attempt(e.getMessage(), null, null);
    }
    Secret password = Secret.of(HexFormat.of().formatHex(new SecureRandom().generateSeed(16)));
    int port = freePort();
    Path conf = dir.resolve("redis.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "# a redis-ops restore drill of backup " + m.id() + ": removed when the drill ends",
            "bind 127.0.0.1",
            "port " + port,
            "protected-mode yes",
            "dir " + dir,
            "dbfilename dump.rdb",
            "appendonly no",
            "save \"\"",
            "logfile redis.log",
            "pidfile redis.pid",
            "maxmemory " + maxmemory,
            "maxmemory-policy noeviction",
            "requirepass " + password.reveal(),
            ""),
        StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
    RedisEndpoint endpoint = new RedisEndpoint("127.0.0.1", port, false, null, password, null);
    ProcessControl control =
        new ProcessControl(
            endpoint,
            new ProcessControl.Server(
                dir.toString(),
                conf.toString(),
                server.executable().toString(),
                "redis.pid",
                "redis.log",
                null,
                "backup " + m.id()),
            ServiceCommands.defaults(),
            options.timeouts(),
            clock);
    try {
      ProcessControl.Started started;
      try {
        started = control.start(progress);
      } catch (RedisOpsException e) {
        return new Attempt(server.describe() + " did not load it: " + e.getMessage(), null, null);
      }
      double seconds = started.loaded().toMillis() / 1000.0;
      Map<Integer, Long> loaded;
      try (RedisSession redis = control.connect()) {
        loaded = KeyCounts.loaded(redis);
      }
      String bad = KeyCounts.mismatch(m, loaded);
      return new Attempt(
          bad == null ? null : "the loaded keys differ from the manifest: " + bad, seconds, loaded);
    } finally {
      stopQuietly(control);
    }
  }

  private static void stopQuietly(ProcessControl control) {
    try {
      control.stop(true);
    } catch (RedisOpsException e) {
      log.warn("the drill's scratch server did not stop: {}", e.getMessage());
    }
  }

  /** The backup by id, else the newest (of the tier). */
  private static Manifest choose(BackupCatalog catalog, Request r) throws IOException {
    if (r.backupId() != null) {
      return catalog.find(r.backupId()).orElseThrow(() -> catalog.noSuchBackup(r.backupId()));
    }
    List<Manifest> all = catalog.list();
    return all.stream()
        .filter(m -> r.tier() == null || m.hasTier(r.tier()))
        .findFirst()
        .orElseThrow(
            () ->
                RedisOpsException.notFound(
                    "no "
                        + (r.tier() == null ? "" : r.tier().id() + " ")
                        + "backup of dataset "
                        + r.dataset()
                        + " in "
                        + catalog.repository().describe()
                        + " to drill"));
  }

  /**
   * Refuses (exit 5) a drill that could take the host's memory from the servers it runs; returns
   * the scratch server's {@code maxmemory} (noeviction: it never drops a loaded key).
   */
  private long guardMemory(Manifest m) {
    long available = availableMemory.getAsLong();
    if (available <= 0) {
      return 0; // unknown (no /proc/meminfo): no limit can be computed, none is set
    }
    long allowed = (long) (available * MEMORY_SHARE);
    long need = m.rawSize() * MEMORY_PER_RDB_BYTE;
    if (need > allowed) {
      throw RedisOpsException.refused(
          "drill of backup "
              + m.id()
              + " refused: its RDB of "
              + Sizes.human(m.rawSize())
              + " needs about "
              + Sizes.human(need)
              + " of memory, more than half of the "
              + Sizes.human(available)
              + " this host has available; drill it on a host with more free memory");
    }
    return allowed;
  }

  private void guardDisk(Manifest m) throws IOException {
    long free = Files.getFileStore(options.workRoot()).getUsableSpace();
    if (free < m.rawSize() + (64L << 20)) {
      throw RedisOpsException.refused(
          "drill of backup "
              + m.id()
              + " refused: "
              + options.workRoot()
              + " has "
              + Sizes.human(free)
              + " free, the RDB needs "
              + Sizes.human(m.rawSize())
              + " and some room; free space there or set TMPDIR");
    }
  }

  /** {@code MemAvailable} of /proc/meminfo in bytes, or -1. */
  static long memAvailable() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemAvailable:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: no guard
    }
    return -1;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
