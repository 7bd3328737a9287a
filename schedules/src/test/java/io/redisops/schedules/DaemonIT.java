package io.redisops.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.retention.RetentionPolicy;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.BackupRequest;
import io.redisops.backup.service.BackupService;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.config.ScheduleSettings;
import io.redisops.config.Settings;
import io.redisops.progress.ProgressListener;
import io.redisops.redis.RedisEndpoint;
import io.redisops.schedules.status.StatusRegistry;
import io.redisops.schedules.status.TierStatus;
import io.redisops.storage.LocalRepository;
import io.redisops.testkit.Await;
import io.redisops.testkit.FreePorts;
import io.redisops.testkit.RedisServer;
import io.redisops.testkit.RedisServerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's scheduling against a real redis-server, with schedules at second resolution. */
class DaemonIT {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.builder().build();

  @TempDir Path tmp;

  @BeforeAll
  static void fill() {
    for (int i = 0; i < 100; i++) {
      redis.sync().set("key:" + i, "value:" + i);
    }
  }

  private static final Duration WAIT = Duration.ofSeconds(60);

  private BackupContext context(Clock clock) {
    LocalRepository repo = new LocalRepository(tmp.resolve("repo"));
    return TestBackupContext.of(repo).clock(clock).redisTimeout(Duration.ofSeconds(5)).build();
  }

  private Settings settings(
      String hourly, String daily, Duration backoff, Settings.DatasetSettings... datasets) {
    return new Settings(
        tmp.resolve("repo"),
        Compression.ZSTD,
        RetentionPolicy.defaults(),
        List.of(datasets),
        new ScheduleSettings(
            hourly, daily, ScheduleSettings.DEFAULT_OFFSITE, backoff, Duration.ofSeconds(5)));
  }

  /**
   * An hourly schedule whose next run is half an hour away. A test that counts what the catch-up
   * run took must not meet a scheduled run: with {@code "0 0 * * * ?"} a run crossing hh:00 also
   * got the hourly backup of hh:00 (a new slot, rightly taken), one more than it counted. The
   * period stays one hour, which is what the catch-up compares the newest backup with.
   */
  private static String hourlyNotDuringTheTest() {
    return "0 "
        + ZonedDateTime.now(ZoneId.systemDefault()).plusMinutes(30).getMinute()
        + " * * * ?";
  }

  /**
   * A daily schedule whose next run is about half a day away (the catch-up tests' daily at 00:05
   * had the same race as {@link #hourlyNotDuringTheTest()} at 00:05); its period stays one day.
   */
  private static String dailyNotDuringTheTest() {
    return "0 0 " + ZonedDateTime.now(ZoneId.systemDefault()).plusHours(12).getHour() + " * * ?";
  }

  private static Settings.DatasetSettings dataset(String name, String uri) {
    return new Settings.DatasetSettings(name, RedisEndpoint.parse(uri));
  }

  private List<Manifest> backups(BackupContext c, String dataset) {
    try {
      return c.catalog(dataset).list();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Takes a backup as if at {@code at}, to build a history. */
  private void backupAt(Instant at, Tier... tiers) {
    BackupContext c = context(Clock.fixed(at, ZoneOffset.UTC));
    BackupService.standard(c)
        .backup(
            new BackupRequest(
                "a", RedisEndpoint.parse(redis.uri()), Set.of(tiers), SnapshotMethod.BGSAVE),
            ProgressListener.NONE);
  }

  @Test
  void hourlyAndDailyDueTogetherGiveOneCaptureWithBothTiers() {
    BackupContext c = context(Clock.system(ZoneId.systemDefault()));
    TimeZone utc = TimeZone.getTimeZone("UTC");
    Map<Tier, TierSchedule> schedules =
        Map.of(
            Tier.HOURLY, new TierSchedule(Tier.HOURLY, "0 0 * * * ?", utc),
            Tier.DAILY, new TierSchedule(Tier.DAILY, "0 0 0 * * ?", utc));
    StatusRegistry status = new StatusRegistry();
    schedules
        .keySet()
        .forEach(t -> status.register(TierStatus.initial("a", t.id(), Duration.ofHours(1))));
    DatasetWorker worker =
        new DatasetWorker(
            "a",
            RedisEndpoint.parse(redis.uri()),
            BackupService.standard(c),
            c.catalog("a"),
            schedules,
            status,
            c.clock());
    Instant midnight = LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();

    assertThat(worker.runScheduled(Tier.HOURLY, midnight)).isEqualTo(DatasetWorker.Outcome.DONE);
    assertThat(worker.runScheduled(Tier.DAILY, midnight)).isEqualTo(DatasetWorker.Outcome.SKIPPED);
    // A daily trigger that fires late for the same instant (blocked behind the capture) is still
    // covered.
    assertThat(worker.runScheduled(Tier.DAILY, midnight.plusSeconds(40)))
        .isEqualTo(DatasetWorker.Outcome.SKIPPED);
    // The next hour is a new slot for the hourly tier only.
    assertThat(worker.runScheduled(Tier.HOURLY, midnight.plusSeconds(3600)))
        .isEqualTo(DatasetWorker.Outcome.DONE);

    List<Manifest> all = backups(c, "a");
    assertThat(all).hasSize(2);
    assertThat(all.get(1).tiers()).containsExactlyInAnyOrder(Tier.HOURLY, Tier.DAILY);
    assertThat(all.get(0).tiers()).containsExactly(Tier.HOURLY);
  }

  @Test
  void scheduledRunsAtSecondResolutionNeverDuplicateASlot() {
    BackupContext c = context(Clock.system(ZoneId.systemDefault()));
    // hourly every 2 s, daily every 4 s: every daily slot is also an hourly slot. Under load
    // triggers may run late,
    // one after the other, each for its own slot.
    Daemon daemon =
        new Daemon(
            settings(
                "*/2 * * * * ?", "*/4 * * * * ?", Duration.ofSeconds(1), dataset("a", redis.uri())),
            c,
            new StatusRegistry());
    daemon.start();
    try {
      Await.until(
          WAIT,
          "four daily backups",
          () -> backups(c, "a").stream().filter(m -> m.hasTier(Tier.DAILY)).count() >= 4);
    } finally {
      daemon.stop(Duration.ofSeconds(10));
    }
    List<Manifest> all = backups(c, "a");
    for (Manifest daily : all.stream().filter(m -> m.hasTier(Tier.DAILY)).toList()) {
      assertThat(daily.tiers()).as("a daily slot is an hourly slot too").contains(Tier.HOURLY);
    }
    // Every daily slot produced one capture tagged with both tiers, never a daily-only one beside
    // an hourly one
    // (the exact one-capture-per-slot rule is shown by
    // hourlyAndDailyDueTogetherGiveOneCaptureWithBothTiers).
    assertThat(all.stream().filter(m -> m.tiers().equals(Set.of(Tier.DAILY)))).isEmpty();
  }

  @Test
  void catchUpAfterDowntimeTakesOneBackupForEveryMissedTier() {
    Instant now = Instant.now();
    backupAt(now.minus(Duration.ofHours(3)), Tier.HOURLY); // the daemon was down for three hours
    backupAt(now.minus(Duration.ofDays(2)), Tier.DAILY); // and missed a daily too
    BackupContext c = context(Clock.system(ZoneId.systemDefault()));
    StatusRegistry status = new StatusRegistry();
    Daemon daemon =
        new Daemon(
            settings(
                hourlyNotDuringTheTest(),
                dailyNotDuringTheTest(),
                Duration.ofSeconds(30),
                dataset("a", redis.uri())),
            c,
            status);
    daemon.start();
    try {
      Await.until(WAIT, "the catch-up backup", () -> backups(c, "a").size() == 3);
      // The worker records the attempt just after the manifest becomes visible: await the record
      // (lastAttemptOk alone is true before any attempt).
      Await.until(
          WAIT,
          "the catch-up recorded as the hourly tier's last attempt",
          () -> status.tier("a", "hourly").lastAttempt() != null);
      assertThat(status.tier("a", "hourly").lastAttemptOk()).isTrue();
    } finally {
      daemon.stop(Duration.ofSeconds(10));
    }
    List<Manifest> all = backups(c, "a");
    assertThat(all).hasSize(3);
    assertThat(all.get(0).tiers()).containsExactlyInAnyOrder(Tier.HOURLY, Tier.DAILY);
    assertThat(all.get(0).snapshotTime()).isAfter(now.minusSeconds(5));
  }

  @Test
  void theDatasetsMethodDecidesHowScheduledBackupsAreCaptured() {
    // The server runs here with a readable data directory: auto would take bgsave.
    redis.sync().configSet("repl-diskless-sync-delay", "0");
    BackupContext c = context(Clock.system(ZoneId.systemDefault()));
    Daemon daemon =
        new Daemon(
            settings(
                "*/2 * * * * ?",
                dailyNotDuringTheTest(),
                Duration.ofSeconds(30),
                dataset("a", redis.uri()).withMethod(SnapshotMethod.REPLICATION)),
            c,
            new StatusRegistry());
    daemon.start();
    try {
      Await.until(WAIT, "two scheduled backups", () -> backups(c, "a").size() >= 2);
    } finally {
      daemon.stop(Duration.ofSeconds(10));
    }
    assertThat(backups(c, "a")).allSatisfy(m -> assertThat(m.method()).isEqualTo("replication"));
  }

  @Test
  void noCatchUpWhenTheNewestBackupsAreFreshAndOnlyTheStaleTierIsCaughtUp() {
    Instant now = Instant.now();
    backupAt(now.minus(Duration.ofMinutes(20)), Tier.HOURLY);
    backupAt(now.minus(Duration.ofHours(5)), Tier.DAILY);
    BackupContext c = context(Clock.system(ZoneId.systemDefault()));
    StatusRegistry status = new StatusRegistry();
    TimeZone zone = TimeZone.getTimeZone(ZoneId.systemDefault());
    Map<Tier, TierSchedule> schedules =
        Map.of(
            Tier.HOURLY, new TierSchedule(Tier.HOURLY, "0 0 * * * ?", zone),
            Tier.DAILY, new TierSchedule(Tier.DAILY, "0 5 0 * * ?", zone));
    schedules
        .keySet()
        .forEach(t -> status.register(TierStatus.initial("a", t.id(), Duration.ofHours(1))));
    DatasetWorker worker =
        new DatasetWorker(
            "a",
            RedisEndpoint.parse(redis.uri()),
            BackupService.standard(c),
            c.catalog("a"),
            schedules,
            status,
            c.clock());
    assertThat(worker.missedTiers()).isEmpty();

    backupAt(
        now.minus(Duration.ofHours(26)), Tier.MANUAL); // manual backups do not count for a tier
    LocalRepository repo = new LocalRepository(tmp.resolve("repo2"));
    BackupContext c2 =
        TestBackupContext.of(repo)
            .clock(Clock.fixed(now.minus(Duration.ofHours(2)), ZoneOffset.UTC))
            .redisTimeout(Duration.ofSeconds(5))
            .build();
    BackupService.standard(c2)
        .backup(
            new BackupRequest(
                "a", RedisEndpoint.parse(redis.uri()), Set.of(Tier.DAILY), SnapshotMethod.BGSAVE),
            ProgressListener.NONE);
    DatasetWorker onlyDailyFresh =
        new DatasetWorker(
            "a",
            RedisEndpoint.parse(redis.uri()),
            BackupService.standard(c2),
            c2.catalog("a"),
            schedules,
            status,
            Clock.system(ZoneId.systemDefault()));
    assertThat(onlyDailyFresh.missedTiers()).containsExactly(Tier.HOURLY);
  }

  @Test
  void retentionRunsAfterScheduledBackups() {
    Instant now = Instant.now();
    backupAt(now.minus(Duration.ofHours(49)), Tier.HOURLY); // past the 48 h of the hourly tier
    backupAt(now.minus(Duration.ofHours(3)), Tier.HOURLY);
    BackupContext c = context(Clock.system(ZoneId.systemDefault()));
    String oldest = backups(c, "a").get(1).id();
    Daemon daemon =
        new Daemon(
            settings(
                hourlyNotDuringTheTest(),
                dailyNotDuringTheTest(),
                Duration.ofSeconds(30),
                dataset("a", redis.uri())),
            c,
            new StatusRegistry());
    daemon.start();
    try {
      Await.until(
          WAIT,
          "the catch-up backup and its retention",
          () ->
              backups(c, "a").stream().noneMatch(m -> m.id().equals(oldest))
                  && backups(c, "a").size() == 2);
    } finally {
      daemon.stop(Duration.ofSeconds(10));
    }
    assertThat(tmp.resolve("repo/a/" + oldest)).doesNotExist();
  }

  @Test
  void oneUnreachableTargetDoesNotDisturbTheOther() throws IOException {
    int closedPort;
    closedPort = FreePorts.next();
    BackupContext c = context(Clock.system(ZoneId.systemDefault()));
    StatusRegistry status = new StatusRegistry();
    Daemon daemon =
        new Daemon(
            settings(
                "*/2 * * * * ?",
                "0 5 0 * * ?",
                Duration.ofSeconds(30),
                dataset("good", redis.uri()),
                dataset("down", "redis://127.0.0.1:" + closedPort)),
            c,
            status);
    daemon.start();
    try {
      Await.until(
          WAIT,
          "three backups of the good target while the other one fails",
          () -> backups(c, "good").size() >= 3 && status.tier("down", "hourly").failures() >= 2);
    } finally {
      daemon.stop(Duration.ofSeconds(10));
    }
    assertThat(backups(c, "down")).isEmpty();
    assertThat(status.tier("down", "hourly").lastError()).contains("unable to connect");
    assertThat(status.tier("good", "hourly").lastAttemptOk()).isTrue();
  }

  @Test
  void aFailedBackupIsRetriedWithBackoffWithinItsPeriod() {
    BackupContext c = context(Clock.system(ZoneId.systemDefault()));
    StatusRegistry status = new StatusRegistry();
    try (RedisServer flaky = RedisServer.builder().start()) {
      String uri = flaky.uri();
      flaky.stop(); // down when the catch-up run starts
      Daemon daemon =
          new Daemon(
              settings(
                  hourlyNotDuringTheTest(),
                  dailyNotDuringTheTest(),
                  Duration.ofSeconds(1),
                  dataset("f", uri)),
              c,
              status);
      daemon.start();
      try {
        Await.until(
            WAIT, "the first attempt to fail", () -> status.tier("f", "hourly").failures() >= 1);
        flaky.start(); // back on the same port
        Await.until(
            WAIT, "a retry to succeed", () -> status.tier("f", "hourly").lastSuccess() != null);
      } finally {
        daemon.stop(Duration.ofSeconds(10));
      }
      assertThat(status.tier("f", "hourly").consecutiveFailures()).isZero();
      assertThat(status.tier("f", "hourly").failures()).isGreaterThanOrEqualTo(1);
      assertThat(backups(c, "f")).hasSize(1);
      assertThat(backups(c, "f").get(0).tiers()).containsExactlyInAnyOrder(Tier.HOURLY, Tier.DAILY);
    }
  }
}
