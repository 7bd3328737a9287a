package io.redisops.backup.retention;

import static io.redisops.backup.fixtures.TestManifests.manifest;
import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.retention.RetentionPlanner.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

@SuppressWarnings("CanonicalDuration") // retention is stated in hours (48 h), as in the docs
class RetentionPlannerTest {
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

  private final RetentionPlanner defaults = new RetentionPlanner(RetentionPolicy.defaults());
  private int seq;

  /** A backup of the given age; ids are unique, the time is what matters. */
  private Manifest aged(Duration age, Tier... tiers) {
    return manifest("ds", "b" + seq++, NOW.minus(age), tiers);
  }

  /**
   * The newest backup, so that the "always keep the newest" rule does not hide the rule under test.
   */
  private Manifest fresh() {
    return aged(Duration.ZERO, Tier.HOURLY);
  }

  private static boolean kept(List<Decision> plan, Manifest m) {
    return plan.stream().filter(d -> d.backup().equals(m)).findFirst().orElseThrow().keep();
  }

  @Test
  void hourlyIsKeptUpToExactly48Hours() {
    Manifest at48h = aged(Duration.ofHours(48), Tier.HOURLY);
    Manifest past48h = aged(Duration.ofHours(48).plusSeconds(1), Tier.HOURLY);

    List<Decision> plan = defaults.plan(List.of(fresh(), at48h, past48h), NOW);

    assertThat(kept(plan, at48h)).isTrue();
    assertThat(kept(plan, past48h)).isFalse();
  }

  @Test
  void dailyIsKeptUpToExactly30Days() {
    Manifest at30d = aged(Duration.ofDays(30), Tier.DAILY);
    Manifest past30d = aged(Duration.ofDays(30).plusSeconds(1), Tier.DAILY);

    List<Decision> plan = defaults.plan(List.of(fresh(), at30d, past30d), NOW);

    assertThat(kept(plan, at30d)).isTrue();
    assertThat(kept(plan, past30d)).isFalse();
  }

  @Test
  void aBackupInSeveralTiersStaysWhileAnyTierWantsIt() {
    Manifest threeDays = aged(Duration.ofDays(3), Tier.HOURLY, Tier.DAILY);
    Manifest thirtyOneDays = aged(Duration.ofDays(31), Tier.HOURLY, Tier.DAILY);

    List<Decision> plan = defaults.plan(List.of(fresh(), threeDays, thirtyOneDays), NOW);

    assertThat(kept(plan, threeDays)).isTrue();
    assertThat(plan.get(1).reason()).contains("daily");
    assertThat(kept(plan, thirtyOneDays)).isFalse();
    assertThat(plan.get(2).reason()).contains("hourly", "daily");
  }

  @Test
  void manualBackupsAreKeptForever() {
    Manifest manual = aged(Duration.ofDays(3650), Tier.MANUAL);
    Manifest manualAndHourly = aged(Duration.ofDays(400), Tier.HOURLY, Tier.MANUAL);

    List<Decision> plan = defaults.plan(List.of(fresh(), manual, manualAndHourly), NOW);

    assertThat(kept(plan, manual)).isTrue();
    assertThat(kept(plan, manualAndHourly)).isTrue();
    assertThat(plan.get(1).reason()).contains("manual");
  }

  @Test
  void theNewestBackupIsKeptWhateverItsAge() {
    Manifest only = aged(Duration.ofDays(10), Tier.HOURLY);

    List<Decision> plan = defaults.plan(List.of(only), NOW);

    assertThat(plan)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.keep()).isTrue();
              assertThat(d.reason()).contains("newest");
            });
  }

  @Test
  void onlyTheNewestOfSeveralExpiredBackupsStays() {
    Manifest older = aged(Duration.ofDays(12), Tier.HOURLY);
    Manifest newest = aged(Duration.ofDays(10), Tier.HOURLY);
    Manifest oldest = aged(Duration.ofDays(40), Tier.DAILY);

    List<Decision> plan = defaults.plan(List.of(older, newest, oldest), NOW);

    assertThat(plan).extracting(Decision::backup).containsExactly(older, newest, oldest);
    assertThat(plan).extracting(Decision::keep).containsExactly(false, true, false);
  }

  @Test
  void emptyListGivesEmptyPlan() {
    assertThat(defaults.plan(List.of(), NOW)).isEmpty();
  }

  @Test
  void customPolicyWithOneHourHourly() {
    RetentionPlanner planner =
        new RetentionPlanner(new RetentionPolicy(Map.of(Tier.HOURLY, Duration.ofHours(1))));
    Manifest at1h = aged(Duration.ofHours(1), Tier.HOURLY);
    Manifest past1h = aged(Duration.ofMinutes(61), Tier.HOURLY);
    Manifest dailyForever = aged(Duration.ofDays(100), Tier.DAILY);

    List<Decision> plan = planner.plan(List.of(fresh(), at1h, past1h, dailyForever), NOW);

    assertThat(kept(plan, at1h)).isTrue();
    assertThat(plan.get(1).reason()).contains("1h");
    assertThat(kept(plan, past1h)).isFalse();
    assertThat(kept(plan, dailyForever))
        .as("daily has no duration in this policy: kept until deleted")
        .isTrue();
  }

  @Test
  void defaultsAre48HoursAnd30DaysAndManualForever() {
    RetentionPolicy p = RetentionPolicy.defaults();
    assertThat(p.maxAge(Tier.HOURLY)).contains(Duration.ofHours(48));
    assertThat(p.maxAge(Tier.DAILY)).contains(Duration.ofDays(30));
    assertThat(p.maxAge(Tier.MANUAL)).isEmpty();
  }

  @Test
  void decisionsFollowTheOrderGiven() {
    List<Manifest> backups = new ArrayList<>();
    for (int h = 0; h < 60; h += 6) {
      backups.add(aged(Duration.ofHours(h), Tier.HOURLY));
    }
    List<Decision> plan = defaults.plan(backups, NOW);
    assertThat(plan).extracting(Decision::backup).containsExactlyElementsOf(backups);
    assertThat(plan.stream().filter(Decision::keep).count()).isEqualTo(9); // 0..48h
  }

  @Test
  void aKnownBadNewestDoesNotProtectItselfAndTheNewestGoodOneStays() {
    Instant now = Instant.parse("2026-11-25T12:00:00Z");
    Manifest damaged = manifest("cache", "20261125T110000Z", now.minusSeconds(3600), Tier.HOURLY);
    Manifest good =
        manifest("cache", "20261122T110000Z", now.minus(Duration.ofDays(3)), Tier.HOURLY);

    List<RetentionPlanner.Decision> plain = defaults.plan(List.of(damaged, good), now);
    List<RetentionPlanner.Decision> known =
        defaults.plan(List.of(damaged, good), Set.of(damaged.id()), now);

    assertThat(plain.get(1).keep()).as("without the mark the old one goes").isFalse();
    assertThat(known.get(1).keep()).isTrue();
    assertThat(known.get(1).reason()).contains("newest backup not known bad");
    assertThat(known.get(0).keep()).isTrue();
    assertThat(known.get(0).reason()).contains("known bad");
  }
}
