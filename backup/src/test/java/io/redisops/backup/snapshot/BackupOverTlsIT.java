package io.redisops.backup.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.BackupRequest;
import io.redisops.backup.service.BackupService;
import io.redisops.backup.service.VerifyService;
import io.redisops.progress.ProgressListener;
import io.redisops.redis.RedisEndpoint;
import io.redisops.storage.LocalRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Whole backups over {@code rediss://} (a TLS-only redis-server, CA made by openssl for this run),
 * for both methods.
 */
class BackupOverTlsIT {
  @TempDir static Path dir;
  private static TestCertificates certs;
  private static TlsOnlyRedisServer server;

  @BeforeAll
  static void start() throws Exception {
    certs = TestCertificates.create(Files.createDirectories(dir.resolve("certs")), "DNS:localhost");
    server =
        TlsOnlyRedisServer.start(
            Files.createDirectories(dir.resolve("data")),
            certs,
            "--repl-diskless-sync",
            "yes",
            "--repl-diskless-sync-delay",
            "0");
    server.mset(FetchedRdb.sampleKeys(40));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = SnapshotMethod.class,
      names = {"BGSAVE", "REPLICATION"})
  void backupOverTls(SnapshotMethod method) {
    LocalRepository repo = new LocalRepository(dir.resolve("repo-" + method.id()));
    BackupContext c = TestBackupContext.of(repo).build();
    BackupService s =
        new BackupService(
            c,
            new BgsaveSnapshotSource(c.clock(), Duration.ofMinutes(1)),
            new ReplicationSnapshotSource(
                c.clock(), Duration.ofSeconds(5), Duration.ofSeconds(30)));
    RedisEndpoint ep =
        RedisEndpoint.parse("rediss://localhost:" + server.port()).withCaFile(certs.caCert);

    Manifest m =
        s.backup(new BackupRequest("tls", ep, Set.of(Tier.MANUAL), method), ProgressListener.NONE)
            .manifest();

    assertThat(m.method()).isEqualTo(method.id());
    assertThat(m.totalKeys()).isEqualTo(40);
    assertThat(new VerifyService(c).verify("tls", m, ProgressListener.NONE).problems()).isEmpty();
  }
}
