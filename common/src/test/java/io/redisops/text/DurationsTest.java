package io.redisops.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@SuppressWarnings("CanonicalDuration") // retention is stated in hours (48 h), as in the docs
class DurationsTest {

  @Test
  void parsesEveryUnit() {
    assertThat(Durations.parse("90s", "k")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("15m", "k")).isEqualTo(Duration.ofMinutes(15));
    assertThat(Durations.parse("48h", "k")).isEqualTo(Duration.ofHours(48));
    assertThat(Durations.parse("30d", "k")).isEqualTo(Duration.ofDays(30));
    assertThat(Durations.parse("500ms", "k")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse(" 0s ", "k")).isEqualTo(Duration.ZERO);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {"10", "h", "-1h", "1w", "1.5h", "1 h", "1H", "2x", "1h30m", "9999999999d"})
  void badDurationsAreUsageErrorsNamingTheKey(String text) {
    RedisOpsException e =
        catchThrowableOfType(
            RedisOpsException.class, () -> Durations.parse(text, "retention.hourly"));
    assertThat(e).as("parse(%s)", text).isNotNull();
    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(e.getMessage()).startsWith("retention.hourly").contains("not a duration");
  }

  @Test
  void formatsInTheLargestExactUnit() {
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Durations.format(Duration.ofMinutes(15))).isEqualTo("15m");
    assertThat(Durations.format(Duration.ofHours(48))).isEqualTo("2d");
    assertThat(Durations.format(Duration.ofHours(49))).isEqualTo("49h");
    assertThat(Durations.format(Duration.ofDays(30))).isEqualTo("30d");
    assertThat(Durations.format(Duration.ofMillis(500))).isEqualTo("500ms");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
  }

  @ParameterizedTest
  @ValueSource(strings = {"90s", "15m", "49h", "30d", "500ms", "0s"})
  void formatIsTheInverseOfParse(String text) {
    assertThat(Durations.format(Durations.parse(text, "k"))).isEqualTo(text);
  }
}
