package io.redisops.recovery.restore;

import static io.redisops.recovery.restore.RestoreSupport.adopt;
import static io.redisops.recovery.restore.RestoreSupport.backup;
import static io.redisops.recovery.restore.RestoreSupport.context;
import static io.redisops.recovery.restore.RestoreSupport.dump;
import static io.redisops.recovery.restore.RestoreSupport.fastTimeouts;
import static io.redisops.recovery.restore.RestoreSupport.server;
import static io.redisops.recovery.restore.RestoreSupport.stopRestarted;
import static io.redisops.recovery.restore.RestoreSupport.target;
import static io.redisops.recovery.restore.RestoreSupport.with;
import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.crypto.ObjectEncryption;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.Offsite;
import io.redisops.backup.service.PushService;
import io.redisops.progress.ProgressListener;
import io.redisops.recovery.kernel.ServiceCommands;
import io.redisops.secret.Secret;
import io.redisops.storage.s3.S3Repository;
import io.redisops.storage.s3.S3Settings;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.KeyspaceDump;
import io.redisops.testkit.RedisServer;
import io.redisops.testkit.S3ProxyExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restore --from auto}: the local copy fails verification, the off-site copy on a real S3
 * server is used.
 */
class RestoreOffsiteFallbackIT {
  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();

  @TempDir Path tmp;

  @Test
  void aCorruptedLocalCopyFallsBackToTheOffsiteOne() throws Exception {
    s3.createBucket("fallback");
    S3Settings settings =
        new S3Settings(
            "fallback",
            "prod",
            Optional.of(s3.endpoint()),
            s3.region(),
            true,
            new S3Settings.Credentials.AccessKey(s3.accessKey(), Secret.of(s3.secretKey()), "test"),
            "STANDARD",
            "none",
            Optional.empty(),
            true);
    BackupContext local = context(tmp.resolve("repo"));
    RedisServer s = server(Files.createDirectories(tmp.resolve("data"))).build();
    s.start();
    List<String> notices = Collections.synchronizedList(new ArrayList<>());
    try (Offsite offsite =
        new Offsite(
            TestBackupContext.of(
                    new S3Repository(settings, Duration.ofSeconds(2)),
                    tmp.resolve("repo").resolve(".offsite"))
                .build(),
            ObjectEncryption.none())) {
      DataFixture.fill(s.sync(), 1);
      Manifest m = backup(local, s);
      Map<Integer, Map<String, KeyspaceDump.KeyState>> expected = dump(s);
      assertThat(new PushService(local, offsite).push("ds", false, ProgressListener.NONE).pushed())
          .hasSize(1);
      // the local copy rots on disk
      Path object = tmp.resolve("repo/ds/" + m.id() + "/" + m.object());
      byte[] bytes = Files.readAllBytes(object);
      bytes[bytes.length / 2] ^= 0x40;
      Files.write(object, bytes);
      with(s, r -> r.flushall());

      RestoreService service =
          new RestoreService(
              local,
              new BackupSources(
                  new LocalBackupSource(local),
                  new OffsiteBackupSource(offsite),
                  BackupSources.From.AUTO),
              Clock.systemUTC(),
              fastTimeouts());
      RestoreReport r =
          service
              .restore(
                  target(s, ServiceCommands.defaults()),
                  Selection.byId(m.id()),
                  p -> true,
                  new RestoreListener() {
                    @Override
                    public void notice(String message) {
                      notices.add(message);
                    }
                  })
              .orElseThrow();
      adopt(s);

      assertThat(dump(s)).isEqualTo(expected);
      assertThat(notices)
          .anyMatch(n -> n.contains("local copy of backup " + m.id() + " failed verification"));
      assertThat(notices).anyMatch(n -> n.contains("from the offsite copy"));
      assertThat(r.steps()).isNotEmpty();
    } finally {
      stopRestarted(s);
      s.close();
    }
  }
}
