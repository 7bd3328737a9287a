package io.redisops.schedules.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisops.schedules.status.DrillStatus;
import io.redisops.schedules.status.TierStatus;
import io.redisops.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthEvaluatorTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private final MutableClock clock = new MutableClock(T0);
  private final HealthEvaluator health = new HealthEvaluator(clock, Duration.ofMinutes(10));

  private static TierStatus hourly(String dataset) {
    return TierStatus.initial(dataset, "hourly", Duration.ofHours(1));
  }

  @Test
  void freshSuccessfulTiersAreHealthy() {
    TierStatus h = hourly("cache").succeeded(T0, T0.minusSeconds(30), Duration.ofSeconds(3), 1234);
    TierStatus d =
        TierStatus.initial("cache", "daily", Duration.ofDays(1))
            .knownBackup(T0.minus(Duration.ofHours(20)), Duration.ofSeconds(4), 99);
    Health result = health.evaluate(List.of(h, d));
    assertTrue(result.healthy());
    assertEquals(Map.of("status", "ok", "checked_at", T0.toString(), "tiers", 2), result.toJson());
  }

  @Test
  void aTierTakenByAnotherHostIsHealthyWhileItsBackupIsFreshAndSaysSo() {
    String why =
        "the chosen source is the master 10.0.0.1:6379 (backup-from master), not this host's Redis";
    TierStatus none =
        hourly("cache")
            .takenElsewhere(T0, null, null, -1, why + "; no hourly backup of it seen yet");
    Health before = health.evaluate(List.of(none));
    assertFalse(before.healthy());
    assertTrue(
        before.problems().get(0).reason().contains("no successful backup yet (" + why),
        before.toString());

    TierStatus seen =
        none.failed(T0, "earlier, as the source")
            .takenElsewhere(
                T0.plusSeconds(5),
                T0.minusSeconds(60),
                Duration.ofSeconds(2),
                10,
                why + "; its newest hourly backup: 20261122T095900Z");
    Health after = health.evaluate(List.of(seen));
    assertTrue(after.healthy(), after.toString());
    assertEquals(
        List.of(Map.of("dataset", "cache", "tier", "hourly", "note", seen.takenElsewhere())),
        after.toJson().get("taken_elsewhere"));

    clock.advance(Duration.ofMinutes(71));
    assertFalse(
        health.evaluate(List.of(seen)).healthy(),
        "that host's backups stopped: stale like any other");
  }

  @Test
  void noTiersIsHealthy() {
    assertTrue(health.evaluate(List.of()).healthy());
  }

  @Test
  void failedLastAttemptIsUnhealthyWithItsTimeAndError() {
    TierStatus t =
        hourly("cache")
            .succeeded(T0, T0, Duration.ofSeconds(1), 1)
            .failed(
                T0.plusSeconds(60).plusMillis(250),
                "unable to connect to 127.0.0.1:7000: Connection refused");
    clock.advance(Duration.ofMinutes(2));
    Health result = health.evaluate(List.of(t));
    assertFalse(result.healthy());
    assertEquals(
        List.of(
            new Health.Problem(
                "cache",
                "hourly",
                "dataset cache tier hourly: last attempt failed at "
                    + "2026-11-22T10:01:00Z: unable to connect to 127.0.0.1:7000: Connection refused (1 consecutive failure)")),
        result.problems());
    assertEquals("unhealthy", result.toJson().get("status"));
    assertEquals(
        List.of(
            Map.of(
                "dataset", "cache", "tier", "hourly", "reason", result.problems().get(0).reason())),
        result.toJson().get("reasons"));
  }

  @Test
  void staleSuccessIsUnhealthyOnlyBeyondPeriodPlusGrace() {
    TierStatus t = hourly("cache").succeeded(T0, T0, Duration.ofSeconds(1), 1);
    clock.advance(Duration.ofMinutes(70));
    assertTrue(health.evaluate(List.of(t)).healthy(), "exactly period + grace is still fresh");
    clock.advance(Duration.ofSeconds(1));
    assertFalse(health.evaluate(List.of(t)).healthy());
    clock.advance(Duration.ofMinutes(59).plusSeconds(59));
    assertEquals(
        "dataset cache tier hourly: no successful backup for 2h10m (period 1h + grace 10m)",
        health.evaluate(List.of(t)).problems().get(0).reason());
  }

  @Test
  void tierWithoutAnySuccessIsUnhealthy() {
    assertEquals(
        "dataset cache tier hourly: no successful backup yet",
        health.evaluate(List.of(hourly("cache"))).problems().get(0).reason());
  }

  @Test
  void oneReasonPerFailingTierOnly() {
    TierStatus ok = hourly("a").succeeded(T0, T0, Duration.ofSeconds(1), 1);
    TierStatus bad = hourly("b").failed(T0, "boom");
    TierStatus stale =
        hourly("c").knownBackup(T0.minus(Duration.ofDays(2)), Duration.ofSeconds(1), 1);
    Health result = health.evaluate(List.of(ok, bad, stale));
    assertEquals(
        List.of("b", "c"), result.problems().stream().map(Health.Problem::dataset).toList());
    assertEquals(3, result.tiers());
  }

  @Test
  void recoveryAfterFailureIsHealthyAgain() {
    TierStatus failed = hourly("cache").failed(T0, "boom");
    assertFalse(health.evaluate(List.of(failed)).healthy());
    clock.advance(Duration.ofMinutes(5));
    TierStatus recovered =
        failed.succeeded(clock.instant(), clock.instant(), Duration.ofSeconds(2), 10);
    assertTrue(health.evaluate(List.of(recovered)).healthy());
  }

  @Test
  void compactDurations() {
    assertEquals("0s", HealthEvaluator.compact(Duration.ZERO));
    assertEquals("45s", HealthEvaluator.compact(Duration.ofSeconds(45)));
    assertEquals("1d3h", HealthEvaluator.compact(Duration.ofHours(27)));
    assertEquals("2h10m5s", HealthEvaluator.compact(Duration.ofSeconds(2 * 3600 + 605)));
  }

  @Test
  void negativeGraceIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> new HealthEvaluator(clock, Duration.ofSeconds(-1)));
  }

  @Test
  void aFailedNewestDrillIsUnhealthyUntilADrillPassesAgainAndNoDrillYetIsFine() {
    TierStatus h = hourly("cache").succeeded(T0, T0.minusSeconds(30), Duration.ofSeconds(3), 1);
    DrillStatus never = DrillStatus.initial("cache", null);
    assertTrue(health.evaluate(List.of(h), List.of(never)).healthy());

    DrillStatus failed = never.failed(T0, "20261122T000500Z", "db0 holds 9 keys, the backup 10");
    Health bad = health.evaluate(List.of(h), List.of(failed));
    assertFalse(bad.healthy());
    assertEquals("drill", bad.problems().get(0).tier());
    assertTrue(bad.problems().get(0).reason().contains("20261122T000500Z"));
    assertTrue(bad.problems().get(0).reason().contains("db0 holds 9 keys"));

    assertTrue(
        health
            .evaluate(List.of(h), List.of(failed.passed(T0.plusSeconds(60), "20261122T000500Z")))
            .healthy());
  }
}
