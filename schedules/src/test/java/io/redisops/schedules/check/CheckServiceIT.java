package io.redisops.schedules.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.config.ConfigLoader;
import io.redisops.config.Settings;
import io.redisops.sentinel.CheckResult;
import io.redisops.testkit.FreePorts;
import io.redisops.testkit.RedisServerExtension;
import io.redisops.testkit.S3ProxyExtension;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CheckService} against one real Redis (with an ACL user that may not SYNC) and a real S3
 * store (S3Proxy): a good setup passes, and each broken part is named by its check.
 */
class CheckServiceIT {
  @RegisterExtension
  static final RedisServerExtension redis =
      RedisServerExtension.builder()
          .aclUser("ops", "ops-secret", "on", "~*", "&*", "+@all")
          .aclUser("nosync", "nosync-secret", "on", "~*", "&*", "+@all", "-sync", "-psync")
          .build();

  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();

  @TempDir Path tmp;

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put(Settings.ENV_S3_ACCESS_KEY_ID, s3.accessKey());
    env.put(Settings.ENV_S3_SECRET_ACCESS_KEY, s3.secretKey());
    return env;
  }

  private CheckService.Report check(
      String user, String bucket, String listen, Map<String, String> env, SnapshotMethod method)
      throws Exception {
    String secret = user.equals("ops") ? "ops-secret" : "nosync-secret";
    Path cfg =
        Files.writeString(
            tmp.resolve("redis-ops.yaml"),
            String.join(
                "\n",
                "datasets:",
                "  - name: cache",
                "    redis: {uri: \"redis://"
                    + user
                    + ":"
                    + secret
                    + "@"
                    + redis.host()
                    + ":"
                    + redis.port()
                    + "\"}",
                "repository: {path: \"" + tmp.resolve("repo") + "\"}",
                "http: {listen: \"" + listen + "\"}",
                "offsite:",
                "  uri: s3://" + bucket + "/prod",
                "  endpoint: " + s3.endpoint(),
                "  region: " + s3.region(),
                "  path-style: true",
                "  credentials: env",
                ""));
    return new CheckService(Clock.systemUTC(), Duration.ofSeconds(5), env)
        .check(
            () -> Settings.resolve(ConfigLoader.load(cfg), Settings.Overrides.none(), env),
            "configuration " + cfg,
            method);
  }

  private static CheckResult named(CheckService.Report r, String name) {
    return r.results().stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no check '" + name + "' in " + r.results()));
  }

  @Test
  void aGoodSetupPassesAndLeavesNoProbeBehind() throws Exception {
    s3.createBucket("good");
    CheckService.Report r =
        check("ops", "good", "127.0.0.1:" + FreePorts.next(), env(), SnapshotMethod.AUTO);

    assertThat(r.failed()).as(r.results().toString()).isEmpty();
    assertThat(r.results())
        .extracting(CheckResult::name)
        .containsExactly(
            "configuration",
            "redis cache",
            "data-dir cache",
            "repository",
            "repository-space",
            "offsite-credentials",
            "offsite-bucket",
            "offsite-probe",
            "encryption-key",
            "redis-check-aof",
            "http-listen");
    // the server runs here with a readable directory: auto means bgsave, judged by ACL DRYRUN
    assertThat(named(r, "redis cache").reason())
        .contains("bgsave (auto)")
        .contains("BGSAVE")
        .contains("ACL DRYRUN");
    assertThat(named(r, "offsite-probe").level()).isEqualTo(CheckResult.Level.PASS);
    assertThat(s3.blobStore().list("good").contents()).as("the probe object is deleted").isEmpty();
  }

  @Test
  void aWrongS3SecretIsTheCredentialsCheck() throws Exception {
    s3.createBucket("secret");
    Map<String, String> env = env();
    env.put(Settings.ENV_S3_SECRET_ACCESS_KEY, s3.secretKey() + "-wrong");
    CheckService.Report r = check("ops", "secret", "off", env, SnapshotMethod.AUTO);

    assertThat(r.failed()).containsExactly("offsite-credentials");
    assertThat(named(r, "offsite-credentials").reason())
        .contains("refused the credentials")
        .doesNotContain(s3.secretKey());
  }

  @Test
  void aMissingBucketIsTheBucketCheck() throws Exception {
    CheckService.Report r = check("ops", "no-such-bucket", "off", env(), SnapshotMethod.AUTO);

    assertThat(r.failed()).containsExactly("offsite-bucket");
    assertThat(named(r, "offsite-bucket").reason()).contains("'no-such-bucket' does not exist");
    assertThat(named(r, "offsite-credentials").level()).isEqualTo(CheckResult.Level.PASS);
  }

  @Test
  void anAclUserWithoutSyncFailsTheReplicationCaptureAndABusyListenAddressFails() throws Exception {
    s3.createBucket("acl");
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
      CheckService.Report r =
          check(
              "nosync",
              "acl",
              "127.0.0.1:" + busy.getLocalPort(),
              env(),
              SnapshotMethod.REPLICATION);

      assertThat(r.failed()).containsExactly("redis cache", "http-listen");
      assertThat(named(r, "redis cache").reason())
          .contains("ACL user 'nosync'")
          .contains("may not run SYNC")
          .contains("+sync")
          .doesNotContain("nosync-secret");
      assertThat(named(r, "data-dir cache").reason()).contains("not needed");
    }
    // the same user is fine for a bgsave capture
    CheckService.Report bgsave = check("nosync", "acl", "off", env(), SnapshotMethod.BGSAVE);
    assertThat(bgsave.failed()).as(bgsave.results().toString()).isEmpty();
  }

  @Test
  void anUnreadableConfigurationIsTheOneFailure() throws Exception {
    List<String> names = new ArrayList<>();
    Path bad = writeConfig("datasets:\n  - name: cache\n    bogus-key: 1\n");
    CheckService.Report r =
        new CheckService(Clock.systemUTC(), Duration.ofSeconds(5), env())
            .check(
                () -> Settings.resolve(ConfigLoader.load(bad), Settings.Overrides.none(), env()),
                "configuration",
                SnapshotMethod.AUTO);
    r.results().forEach(c -> names.add(c.name()));
    assertThat(names).containsExactly("configuration");
    assertThat(r.failed()).containsExactly("configuration");
    assertThat(r.results().get(0).reason()).contains("bogus-key");
  }

  private Path writeConfig(String text) throws Exception {
    return Files.writeString(tmp.resolve("bad.yaml"), text);
  }
}
