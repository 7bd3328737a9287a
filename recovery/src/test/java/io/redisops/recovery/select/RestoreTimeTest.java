package io.redisops.recovery.select;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TIME of {@code restore --at} with a fixed clock: now is 2026-11-22 10:30:00 in Berlin (UTC+1).
 */
class RestoreTimeTest {
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  static final Instant NOW = Instant.parse("2026-11-22T09:30:00Z");
  final RestoreTime time = new RestoreTime(Clock.fixed(NOW, BERLIN), BERLIN);

  @Test
  void hhmmEarlierTodayIsToday() {
    assertThat(time.parse("09:15")).isEqualTo(Instant.parse("2026-11-22T08:15:59.999999999Z"));
    assertThat(time.parse("9:15:30")).isEqualTo(Instant.parse("2026-11-22T08:15:30.999999999Z"));
  }

  @Test
  void hhmmLaterThanNowIsYesterday() {
    // 11:00 has not come yet today: the latest 11:00 not in the future is yesterday's.
    assertThat(time.parse("11:00")).isEqualTo(Instant.parse("2026-11-21T10:00:59.999999999Z"));
    assertThat(time.parse("10:30:01")).isEqualTo(Instant.parse("2026-11-21T09:30:01.999999999Z"));
  }

  @Test
  void hhmmExactlyNowIsNow() {
    assertThat(time.parse("10:30")).isEqualTo(NOW);
  }

  @Test
  void localDateTimeIsInTheZone() {
    assertThat(time.parse("2026-11-20 11:00"))
        .isEqualTo(Instant.parse("2026-11-20T10:00:59.999999999Z"));
    assertThat(time.parse("2026-11-20 11:00:07"))
        .isEqualTo(Instant.parse("2026-11-20T10:00:07.999999999Z"));
    assertThat(time.parse("2026-11-20T11:00"))
        .isEqualTo(Instant.parse("2026-11-20T10:00:59.999999999Z"));
  }

  @Test
  void isoWithOffsetOrZ() {
    assertThat(time.parse("2026-11-22T08:00:00Z"))
        .isEqualTo(Instant.parse("2026-11-22T08:00:00.999999999Z"));
    assertThat(time.parse("2026-11-22T03:00:00-05:00"))
        .isEqualTo(Instant.parse("2026-11-22T08:00:00.999999999Z"));
    assertThat(time.parse("2026-11-22T08:00:00.250Z"))
        .isEqualTo(Instant.parse("2026-11-22T08:00:00.250Z"));
    assertThat(time.parse("2026-11-22T08:00Z"))
        .isEqualTo(Instant.parse("2026-11-22T08:00:59.999999999Z"));
  }

  @Test
  void relative() {
    assertThat(time.parse("-90m")).isEqualTo(NOW.minusSeconds(90 * 60));
    assertThat(time.parse("-2h")).isEqualTo(NOW.minusSeconds(2 * 3600));
    assertThat(time.parse("-1d")).isEqualTo(NOW.minusSeconds(24 * 3600));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "11",
        "11h",
        "25:00",
        "10:61",
        "yesterday",
        "2026-13-01 10:00",
        "+2h",
        "-2w",
        "11:00 PM"
      })
  void unparsableIsAUsageError(String text) {
    assertThatThrownBy(() -> time.parse(text))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
              assertThat(e.getMessage()).contains("HH:MM");
            });
  }

  @ParameterizedTest
  @ValueSource(strings = {"2026-11-22 10:31", "2026-11-22T09:30:01Z", "2027-01-01 00:00"})
  void futureIsAUsageError(String text) {
    assertThatThrownBy(() -> time.parse(text))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
              assertThat(e.getMessage()).contains("in the future");
            });
  }

  @Test
  void aTimeGivenToTheSecondMeansTheWholeSecond() {
    // list shows "2026-11-22 09:36:58" (Berlin) for a snapshot at 08:36:58.61Z: every form of that
    // time selects it
    Instant snapshot = Instant.parse("2026-11-22T08:36:58.610Z");
    for (String text :
        new String[] {
          "2026-11-22 09:36:58",
          "09:36:58",
          "2026-11-22T09:36:58",
          "2026-11-22T08:36:58Z",
          "2026-11-22T09:36:58+01:00"
        }) {
      assertThat(time.parse(text))
          .as(text)
          .isAfterOrEqualTo(snapshot)
          .isBefore(Instant.parse("2026-11-22T08:36:59Z"));
    }
    // to the minute: the whole minute; a fraction: exact
    assertThat(time.parse("09:36")).isEqualTo(Instant.parse("2026-11-22T08:36:59.999999999Z"));
    assertThat(time.parse("2026-11-22T08:36:58.5Z")).isBefore(snapshot);
  }

  @Test
  void theCurrentSecondEndsAtNow() {
    assertThat(time.parse("10:30:00")).isEqualTo(NOW);
  }
}
