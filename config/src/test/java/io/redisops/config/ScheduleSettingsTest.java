package io.redisops.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScheduleSettingsTest {
  @Test
  void defaultsAreTheCrontabOfTheReferenceNotes() {
    ScheduleSettings s = ScheduleSettings.resolve(null);
    assertThat(s.hourly()).isEqualTo("0 0 * * * ?");
    assertThat(s.daily()).isEqualTo("0 5 0 * * ?");
    assertThat(s.offsite()).isEqualTo("0 30 1 * * ?");
    assertThat(s.retryBackoff()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.stopGrace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.drill()).isEqualTo("0 0 2 * * ?");
  }

  @Test
  void drillsCanBeRescheduledOrSwitchedOff() {
    assertThat(
            ScheduleSettings.resolve(
                    new Config.Schedule(null, null, null, null, null, "0 0 3 * * ?"))
                .drill())
        .isEqualTo("0 0 3 * * ?");
    assertThat(
            ScheduleSettings.resolve(new Config.Schedule(null, null, null, null, null, "off"))
                .drill())
        .isNull();
  }

  @Test
  void secondResolutionExpressionsAreAccepted() {
    ScheduleSettings s =
        ScheduleSettings.resolve(
            new Config.Schedule("*/2 * * * * ?", "*/4 * * * * ?", null, "1s", "0s"));
    assertThat(s.hourly()).isEqualTo("*/2 * * * * ?");
    assertThat(s.retryBackoff()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.stopGrace()).isZero();
  }

  @Test
  void badValuesNameTheirKey() {
    assertRefused(new Config.Schedule("every hour", null, null, null, null), "schedule.hourly");
    assertRefused(new Config.Schedule(null, "0 5 0 * *", null, null, null), "schedule.daily");
    assertRefused(new Config.Schedule(null, null, "61 * * * * ?", null, null), "schedule.offsite");
    assertRefused(new Config.Schedule(null, null, null, "0s", null), "schedule.retry-backoff");
    assertRefused(new Config.Schedule(null, null, null, null, "soon"), "schedule.stop-grace");
    assertRefused(new Config.Schedule(null, null, null, null, null, "daily"), "schedule.drill");
  }

  private static void assertRefused(Config.Schedule s, String key) {
    assertThatThrownBy(() -> ScheduleSettings.resolve(s))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
              assertThat(e.getMessage()).startsWith(key);
            });
  }
}
