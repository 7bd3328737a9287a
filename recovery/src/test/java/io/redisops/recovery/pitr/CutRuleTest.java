package io.redisops.recovery.pitr;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.recovery.select.RestoreTime;
import io.redisops.testkit.MutableClock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** A time to the second includes its second's commands; a time with a fraction excludes them. */
class CutRuleTest {
  static final long S = Instant.parse("2026-11-22T12:00:20Z").getEpochSecond();
  final RestoreTime times =
      new RestoreTime(new MutableClock(Instant.parse("2026-11-22T13:00:00Z")), ZoneOffset.UTC);

  @Test
  void aTimeToTheSecondIncludesThatSecond() {
    Instant at = times.parse("2026-11-22T12:00:20Z");
    assertThat(CutRule.lastSecond(at)).isEqualTo(S);
    assertThat(CutRule.lastSecond(times.parse("12:00:20"))).isEqualTo(S);
    assertThat(CutRule.coveredUntil(at)).isEqualTo(Instant.ofEpochSecond(S + 1).minusNanos(1));
  }

  @Test
  void aTimeWithAFractionExcludesItsSecond() {
    assertThat(CutRule.lastSecond(times.parse("2026-11-22T12:00:20.500Z"))).isEqualTo(S - 1);
    assertThat(CutRule.lastSecond(times.parse("2026-11-22T12:00:20.000Z"))).isEqualTo(S - 1);
    assertThat(CutRule.lastSecond(times.parse("2026-11-22T12:00:20.999999999Z"))).isEqualTo(S);
  }

  @Test
  void aMinuteCoversItsLastSecond() {
    assertThat(CutRule.lastSecond(times.parse("12:00"))).isEqualTo(S - 20 + 59);
  }
}
