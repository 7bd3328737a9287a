package io.redisops.recovery.restore;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.BackupRequest;
import io.redisops.backup.service.BackupService;
import io.redisops.backup.snapshot.BgsaveSnapshotSource;
import io.redisops.backup.snapshot.ReplicationSnapshotSource;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.progress.ProgressListener;
import io.redisops.recovery.kernel.ServiceCommands;
import io.redisops.redis.RedisEndpoint;
import io.redisops.storage.LocalRepository;
import io.redisops.testkit.KeyspaceDump;
import io.redisops.testkit.ProcessRegistry;
import io.redisops.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Shared pieces of the restore integration tests. */
final class RestoreSupport {
  private RestoreSupport() {}

  static BackupContext context(Path repo) {
    LocalRepository r = new LocalRepository(repo);
    return TestBackupContext.of(r).build();
  }

  static Manifest backup(BackupContext c, RedisServer s) {
    BackupService service =
        new BackupService(
            c,
            new BgsaveSnapshotSource(c.clock(), Duration.ofMinutes(2)),
            new ReplicationSnapshotSource(
                c.clock(), Duration.ofSeconds(5), Duration.ofSeconds(30)));
    return service
        .backup(
            new BackupRequest(
                "ds",
                RedisEndpoint.parse(s.uriWithCredentials()),
                Set.of(Tier.MANUAL),
                SnapshotMethod.BGSAVE),
            ProgressListener.NONE)
        .manifest();
  }

  static RestoreService service(BackupContext c) {
    return new RestoreService(
        c,
        new BackupSources(new LocalBackupSource(c), null, BackupSources.From.AUTO),
        Clock.systemUTC(),
        fastTimeouts());
  }

  static RestoreTimeouts fastTimeouts() {
    return new RestoreTimeouts(
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        Duration.ofSeconds(20),
        Duration.ofMinutes(2),
        Duration.ofMinutes(2));
  }

  static RestoreService.Target target(RedisServer s, ServiceCommands commands) {
    return new RestoreService.Target(
        "ds", RedisEndpoint.parse(s.uriWithCredentials()), null, commands);
  }

  /**
   * A builder whose server writes its pidfile in its folder, so tests can stop a Redis the restore
   * started.
   */
  static RedisServer.Builder server(Path dir) {
    return RedisServer.builder().dir(dir).config("pidfile", "\"" + dir.resolve("redis.pid") + "\"");
  }

  /** Runs {@code action} on a fresh client of whatever Redis answers on the server's port now. */
  static <T> T with(RedisServer s, Function<RedisCommands<String, String>, T> action) {
    RedisClient client = RedisClient.create(s.uriWithCredentials());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return action.apply(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  static Map<Integer, Map<String, KeyspaceDump.KeyState>> dump(RedisServer s) {
    return with(s, KeyspaceDump::of);
  }

  static long pid(RedisServer s) {
    return with(
        s,
        r ->
            Long.parseLong(
                r.info("server")
                    .lines()
                    .filter(l -> l.startsWith("process_id:"))
                    .findFirst()
                    .orElseThrow()
                    .substring("process_id:".length())
                    .strip()));
  }

  /**
   * Stops the Redis that the restore (re)started: daemonized, it is no child of the test JVM, so
   * the testkit cannot see it. Found by its pidfile; SIGTERM, then SIGKILL. Safe to call when
   * nothing runs.
   */
  static void stopRestarted(RedisServer s) {
    Path pidfile = s.dir().resolve("redis.pid");
    try {
      if (!Files.exists(pidfile)) {
        return;
      }
      long pid = Long.parseLong(Files.readString(pidfile).strip());
      ProcessHandle.of(pid)
          .ifPresent(
              h -> {
                ProcessRegistry.register(h);
                h.destroy();
                try {
                  h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                  h.destroyForcibly();
                }
                ProcessRegistry.unregister(h);
              });
    } catch (Exception e) {
      throw new IllegalStateException("unable to stop the Redis started by the restore: " + e, e);
    }
  }

  /**
   * Registers the restarted Redis with the testkit's reaper, so a crashed test JVM still kills it.
   */
  static void adopt(RedisServer s) {
    ProcessHandle.of(pid(s)).ifPresent(ProcessRegistry::register);
  }
}
