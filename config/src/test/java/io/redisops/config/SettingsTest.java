package io.redisops.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.redisops.backup.catalog.Tier;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.config.Settings.DatasetSettings;
import io.redisops.config.Settings.Overrides;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import io.redisops.secret.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  private static final Map<String, String> NO_ENV = Map.of();

  @TempDir Path dir;

  private Config load(String yaml) throws IOException {
    return ConfigLoader.load(Files.writeString(dir.resolve("redis-ops.yaml"), yaml));
  }

  private Settings resolve(String yaml) throws IOException {
    return Settings.resolve(load(yaml), Overrides.none(), NO_ENV);
  }

  private static RedisOpsException usage(ThrowingCall call) {
    RedisOpsException e = catchThrowableOfType(RedisOpsException.class, call::run);
    assertThat(e).isNotNull();
    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
    return e;
  }

  interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void aFullFileResolvesToItsValues() throws IOException {
    Settings s =
        resolve(
            """
        datasets:
          - name: cache
            redis:
              uri: rediss://backup@10.0.0.5:6380
        repository:
          path: /srv/backups
          compression: gzip
        retention:
          hourly: 24h
          daily: 14d
          archive: 3d
        """);

    assertThat(s.repositoryPath()).isEqualTo(Path.of("/srv/backups"));
    assertThat(s.retention().archive()).isEqualTo(Duration.ofDays(3));
    assertThat(s.compression()).isEqualTo(Compression.GZIP);
    assertThat(s.compressionLevel()).isEqualTo(Compression.DEFAULT_GZIP_LEVEL);
    assertThat(s.retention().maxAge(Tier.HOURLY)).contains(Duration.ofHours(24));
    assertThat(s.retention().maxAge(Tier.DAILY)).contains(Duration.ofDays(14));
    assertThat(s.retention().maxAge(Tier.MANUAL)).isEmpty();
    DatasetSettings d = s.dataset(null);
    assertThat(d.name()).isEqualTo("cache");
    assertThat(d.endpoint().host()).isEqualTo("10.0.0.5");
    assertThat(d.endpoint().port()).isEqualTo(6380);
    assertThat(d.endpoint().tls()).isTrue();
  }

  @Test
  void eachDatasetHasItsCaptureMethodAutoByDefault() throws IOException {
    String yaml =
        """
        datasets:
          - name: cache
            method: replication
            redis: {uri: "redis://127.0.0.1:7001"}
          - name: queue
            method: " BGSAVE "
            redis: {uri: "redis://127.0.0.1:7002"}
          - name: plain
            redis: {uri: "redis://127.0.0.1:7003"}
        """;
    Settings s = resolve(yaml);
    assertThat(s.dataset("cache").method()).isEqualTo(SnapshotMethod.REPLICATION);
    assertThat(s.dataset("queue").method()).isEqualTo(SnapshotMethod.BGSAVE);
    assertThat(s.dataset("plain").method()).isEqualTo(SnapshotMethod.AUTO);
    assertThat(resolve("repository: {path: /tmp/r}\n").dataset(null).method())
        .isEqualTo(SnapshotMethod.AUTO);
    // --redis with one configured dataset keeps the file's settings of it, its method too
    Settings overridden =
        Settings.resolve(
            load("datasets:\n  - name: c\n    method: replication\n"),
            new Overrides("redis://127.0.0.1:7009", null, null, null),
            NO_ENV);
    assertThat(overridden.dataset(null).method()).isEqualTo(SnapshotMethod.REPLICATION);

    RedisOpsException e = usage(() -> resolve("datasets:\n  - name: c\n    method: rdb\n"));
    assertThat(e.getMessage())
        .isEqualTo("datasets[0].method: 'rdb' is not valid; use auto, bgsave or replication");
  }

  @Test
  void theCompressionLevelIsCheckedAgainstTheCompression() throws IOException {
    assertThat(resolve("repository:\n  compression-level: 1\n").compressionLevel()).isEqualTo(1);
    assertThat(
            resolve("repository:\n  compression: gzip\n  compression-level: 9\n")
                .compressionLevel())
        .isEqualTo(9);
    assertThat(usage(() -> resolve("repository:\n  compression-level: 20\n")).getMessage())
        .contains("repository.compression-level")
        .contains("1 to 19");
    assertThat(
            usage(() -> resolve("repository:\n  compression: none\n  compression-level: 1\n"))
                .getMessage())
        .contains("repository.compression-level")
        .contains("none has no level");
  }

  @Test
  @SuppressWarnings("CanonicalDuration") // the default is stated in hours (48 h), as in the docs
  void anEmptyFileGivesTheDefaults() throws IOException {
    Settings s = resolve("");

    assertThat(s.repositoryPath()).isEqualTo(Path.of("/var/lib/redis-ops/backups"));
    assertThat(s.compression()).isEqualTo(Compression.ZSTD);
    assertThat(s.compressionLevel()).isEqualTo(Compression.DEFAULT_ZSTD_LEVEL);
    assertThat(s.retention().maxAge(Tier.HOURLY)).contains(Duration.ofHours(48));
    assertThat(s.retention().maxAge(Tier.DAILY)).contains(Duration.ofDays(30));
    assertThat(s.retention().archive()).isEqualTo(Duration.ofHours(48));
    assertThat(s.datasets())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.name()).isEqualTo("127.0.0.1-6379");
              assertThat(d.endpoint()).hasToString("redis://127.0.0.1:6379");
              assertThat(d.endpoint().password()).isNull();
            });
  }

  @Test
  void aDatasetWithoutNameIsNamedAfterItsServer() throws IOException {
    Settings s = resolve("datasets:\n  - redis:\n      uri: redis://10.1.2.3:7000\n");
    assertThat(s.dataset(null).name()).isEqualTo("10.1.2.3-7000");
  }

  @Test
  void commandLineOptionsOverrideTheFile() throws IOException {
    Config c =
        load(
            "repository:\n  path: /srv/backups\ndatasets:\n  - name: cache\n    redis:\n      uri: redis://h:1\n");
    Settings s =
        Settings.resolve(c, new Overrides("redis://other:2", "/tmp/repo", null, null), NO_ENV);
    assertThat(s.repositoryPath()).isEqualTo(Path.of("/tmp/repo"));
    assertThat(s.dataset(null).name()).isEqualTo("cache");
    assertThat(s.dataset(null).endpoint().address()).isEqualTo("other:2");
  }

  @Test
  void badDurationNamesTheKey() throws IOException {
    Config c = load("retention:\n  hourly: 2x\n");
    RedisOpsException e = usage(() -> Settings.resolve(c, Overrides.none(), NO_ENV));
    assertThat(e.getMessage()).startsWith("retention.hourly").contains("'2x'");
  }

  @Test
  void badCompressionNamesTheKey() throws IOException {
    Config c = load("repository:\n  compression: lz4\n");
    RedisOpsException e = usage(() -> Settings.resolve(c, Overrides.none(), NO_ENV));
    assertThat(e.getMessage()).startsWith("repository.compression").contains("'lz4'");
  }

  @Test
  void badUriNamesTheDatasetKeyWithoutThePassword() throws IOException {
    Config c = load("datasets:\n  - name: a\n    redis:\n      uri: redis://u:hunter2@h:99999\n");
    RedisOpsException e = usage(() -> Settings.resolve(c, Overrides.none(), NO_ENV));
    assertThat(e.getMessage()).startsWith("datasets[0].redis.uri").doesNotContain("hunter2");
  }

  @Test
  void passwordFileIsReadFirstLineWithoutNewline() throws IOException {
    Path pass = Files.writeString(dir.resolve("cache.pass"), "s3cret\n");
    Settings s = resolve(datasetWithPasswordFile(pass));

    assertThat(s.dataset(null).endpoint().password().reveal())
        .isEqualTo(Secret.of("s3cret").reveal());
  }

  @Test
  void anAclUserInTheUriTakesItsPasswordFromThePasswordFile() throws IOException {
    Path pass = Files.writeString(dir.resolve("backup.pass"), "s3cret\n");
    String yaml =
        datasetWithPasswordFile(pass)
            .replace("redis://10.0.0.5:6379", "redis://backup:@10.0.0.5:6379");
    RedisEndpoint ep = resolve(yaml).dataset(null).endpoint();

    assertThat(ep.username()).isEqualTo("backup");
    assertThat(ep.password().reveal()).isEqualTo("s3cret");
    assertThat(ep.authCommand()).containsExactly("AUTH", "backup", "s3cret");
  }

  @Test
  void passwordFileKeepsOnlyTheFirstLine() throws IOException {
    Path pass = Files.writeString(dir.resolve("cache.pass"), "s3cret\r\nsecond line\n");
    assertThat(resolve(datasetWithPasswordFile(pass)).dataset(null).endpoint().password().reveal())
        .isEqualTo("s3cret");
  }

  @Test
  void environmentPasswordWinsOverThePasswordFile() throws IOException {
    Path pass = Files.writeString(dir.resolve("cache.pass"), "from-file\n");
    Settings s =
        Settings.resolve(
            load(datasetWithPasswordFile(pass)),
            Overrides.none(),
            Map.of("REDIS_OPS_REDIS_PASSWORD", "from-env"));

    assertThat(s.dataset(null).endpoint().password().reveal()).isEqualTo("from-env");
  }

  @Test
  void environmentPasswordAppliesWithoutAFile() throws IOException {
    Settings s =
        Settings.resolve(
            Config.empty(), Overrides.none(), Map.of("REDIS_OPS_REDIS_PASSWORD", "from-env"));
    assertThat(s.dataset(null).endpoint().password().reveal()).isEqualTo("from-env");
  }

  @Test
  void aMissingPasswordFileNamesTheKeyWhenThePasswordIsNeeded() throws IOException {
    Config c = load(datasetWithPasswordFile(dir.resolve("missing.pass")));
    // commands that never log in (list, show, verify, prune) are not blocked by it
    Settings s = Settings.resolve(c, Overrides.none(), NO_ENV);
    RedisOpsException e = usage(() -> s.dataset(null).endpoint().password().reveal());
    assertThat(e.getMessage())
        .contains("datasets[0].redis.password-file")
        .contains("missing.pass")
        .contains("does not exist")
        .doesNotContain("Exception");
  }

  @Test
  void thePasswordNeverAppearsInTheEndpointsToString() throws IOException {
    Path pass = Files.writeString(dir.resolve("cache.pass"), "hunter2\n");
    Settings fromFile = resolve(datasetWithPasswordFile(pass));
    Settings fromEnv =
        Settings.resolve(
            Config.empty(), Overrides.none(), Map.of("REDIS_OPS_REDIS_PASSWORD", "hunter2"));
    Settings fromUri =
        resolve("datasets:\n  - name: a\n    redis:\n      uri: redis://backup:hunter2@h:1\n");

    for (Settings s : new Settings[] {fromFile, fromEnv, fromUri}) {
      assertThat(s.dataset(null).endpoint().password().reveal()).isEqualTo("hunter2");
      assertThat(s.dataset(null).endpoint().toString()).doesNotContain("hunter2");
      assertThat(s.toString()).doesNotContain("hunter2");
    }
  }

  @Test
  void datasetOptionPicksAConfiguredDataset() throws IOException {
    Settings s = resolve(twoDatasets());
    assertThat(s.dataset("sessions").endpoint().address()).isEqualTo("h:2");
    assertThat(s.dataset("cache").endpoint().address()).isEqualTo("h:1");
  }

  @Test
  void anUnknownDatasetIsRefusedListingTheConfiguredOnes() throws IOException {
    Settings s = resolve(twoDatasets());
    RedisOpsException e = usage(() -> s.dataset("queue"));
    assertThat(e.getMessage()).contains("'queue'").contains("cache, sessions");
  }

  @Test
  void severalDatasetsNeedTheDatasetOption() throws IOException {
    Settings s = resolve(twoDatasets());
    RedisOpsException e = usage(() -> s.dataset(null));
    assertThat(e.getMessage()).contains("cache").contains("sessions").contains("--dataset");
  }

  @Test
  void duplicateDatasetNamesAreRefused() throws IOException {
    Config c =
        load(
            """
        datasets:
          - name: cache
            redis:
              uri: redis://h:1
          - name: cache
            redis:
              uri: redis://h:2
        """);
    RedisOpsException e = usage(() -> Settings.resolve(c, Overrides.none(), NO_ENV));
    assertThat(e.getMessage()).contains("datasets[1].name").contains("'cache'").contains("twice");
  }

  @Test
  void duplicateDefaultNamesAreRefused() throws IOException {
    Config c =
        load("datasets:\n  - redis:\n      uri: redis://h:1\n  - redis:\n      uri: redis://h:1\n");
    RedisOpsException e = usage(() -> Settings.resolve(c, Overrides.none(), NO_ENV));
    assertThat(e.getMessage()).contains("'h-1'");
  }

  @Test
  void invalidDatasetNameNamesTheKey() throws IOException {
    Config c = load("datasets:\n  - name: ../etc\n");
    RedisOpsException e = usage(() -> Settings.resolve(c, Overrides.none(), NO_ENV));
    assertThat(e.getMessage()).startsWith("datasets[0].name");
  }

  private static String datasetWithPasswordFile(Path pass) {
    return "datasets:\n  - name: cache\n    redis:\n      uri: redis://10.0.0.5:6379\n      password-file: "
        + pass
        + "\n";
  }

  private static String twoDatasets() {
    return """
        datasets:
          - name: cache
            redis:
              uri: redis://h:1
          - name: sessions
            redis:
              uri: redis://h:2
        """;
  }

  @Test
  void sentinelDatasetIsNamedAfterTheMasterAndFollowsItsSentinels() throws IOException {
    Path pass = Files.writeString(dir.resolve("sentinel.pass"), "sentinel-secret\n");
    Settings s =
        resolve(
            "datasets:\n  - redis:\n      uri: redis://:data-secret@10.0.0.1:6379\n    sentinel:\n"
                + "      master: orders\n      nodes: [\"10.0.0.1:26379\", \"10.0.0.2\", \"rediss://10.0.0.3:26380\"]\n"
                + "      password-file: "
                + pass
                + "\n");
    Settings.DatasetSettings d = s.dataset(null);
    assertThat(d.name()).isEqualTo("orders");
    assertThat(d.backupFrom()).isEqualTo(io.redisops.sentinel.BackupFrom.REPLICA);
    assertThat(d.checkInterval()).isEqualTo(java.time.Duration.ofMinutes(1));
    assertThat(d.sentinel().masterName()).isEqualTo("orders");
    assertThat(d.sentinel().sentinels())
        .extracting(e -> e.address() + (e.tls() ? " tls" : ""))
        .containsExactly("10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26380 tls");
    assertThat(d.sentinel().sentinels())
        .allSatisfy(e -> assertThat(e.password().reveal()).isEqualTo("sentinel-secret"));
    assertThat(d.sentinel().redisAt("10.0.0.2", 6379).password().reveal()).isEqualTo("data-secret");
    assertThat(s.toString()).doesNotContain("secret");
  }

  @Test
  void sentinelPasswordFromTheEnvironmentAndBackupFromMaster() throws IOException {
    Settings s =
        Settings.resolve(
            load(
                "datasets:\n  - name: keep\n    sentinel:\n      master: m\n      nodes: [a]\n"
                    + "      backup-from: master\n      check-interval: 30s\n"),
            Overrides.none(),
            Map.of("REDIS_OPS_SENTINEL_PASSWORD", "from-env"));
    Settings.DatasetSettings d = s.dataset(null);
    assertThat(d.checkInterval()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(d.name()).isEqualTo("keep");
    assertThat(d.backupFrom()).isEqualTo(io.redisops.sentinel.BackupFrom.MASTER);
    assertThat(d.sentinel().sentinels().get(0).password().reveal()).isEqualTo("from-env");
  }

  @Test
  void badSentinelValuesNameTheKey() throws IOException {
    assertThat(
            usage(
                    () ->
                        resolve(
                            "datasets:\n  - sentinel:\n      master: m\n      nodes: [a]\n      backup-from: slave\n"))
                .getMessage())
        .contains("datasets[0].sentinel.backup-from");
    assertThat(
            usage(
                    () ->
                        resolve(
                            "datasets:\n  - sentinel:\n      master: m\n      nodes: [a]\n      check-interval: 0s\n"))
                .getMessage())
        .contains("datasets[0].sentinel.check-interval");
    assertThat(usage(() -> resolve("datasets:\n  - sentinel:\n      nodes: [a]\n")).getMessage())
        .contains("datasets[0].sentinel.master");
    assertThat(usage(() -> resolve("datasets:\n  - sentinel:\n      master: m\n")).getMessage())
        .contains("datasets[0].sentinel.nodes");
  }

  @Test
  void drillServerIsAnExecutableGivenByAbsolutePath() throws IOException {
    assertThat(resolve("repository:\n  path: /tmp/r\n").drillServer()).isEmpty();
    assertThat(resolve("drill:\n  server: /bin/sh\n").drillServer()).contains(Path.of("/bin/sh"));
    assertThat(usage(() -> resolve("drill:\n  server: redis-server\n")).getMessage())
        .startsWith("drill.server: 'redis-server' is not an absolute path");
    Path plain = Files.writeString(dir.resolve("plain"), "not a program");
    assertThat(usage(() -> resolve("drill:\n  server: " + plain + "\n")).getMessage())
        .startsWith("drill.server");
  }
}
