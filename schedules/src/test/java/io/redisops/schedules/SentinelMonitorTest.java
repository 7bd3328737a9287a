package io.redisops.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.schedules.observe.NotificationEvent;
import io.redisops.schedules.status.SentinelChecks;
import io.redisops.sentinel.CheckResult;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which changes of the deployment checks are notified: into FAIL and out of it, once each. */
class SentinelMonitorTest {
  private static SentinelChecks run(CheckResult... results) {
    return new SentinelChecks("ds", Instant.parse("2026-12-01T10:00:00Z"), List.of(results));
  }

  private static List<String> changes(SentinelChecks before, SentinelChecks now) {
    return SentinelMonitor.changes(before, now, "h").stream()
        .map(e -> e.event() + " " + e.fields().get("check") + " " + e.fields().get("level"))
        .toList();
  }

  @Test
  void intoFailAndOutOfItAreNotifiedOnceEach() {
    SentinelChecks pass =
        run(CheckResult.pass("persistence", "ok"), CheckResult.warn("quorum", "w"));
    SentinelChecks fail =
        run(CheckResult.fail("persistence", "none"), CheckResult.warn("quorum", "w"));
    assertThat(changes(null, pass)).isEmpty();
    assertThat(changes(pass, fail)).containsExactly("sentinel_check_failed persistence FAIL");
    assertThat(changes(fail, fail)).isEmpty();
    assertThat(changes(fail, pass)).containsExactly("sentinel_check_recovered persistence PASS");
    assertThat(changes(null, fail)).containsExactly("sentinel_check_failed persistence FAIL");
    // a failing check that is no longer reported (a replica removed) counts as recovered
    assertThat(changes(fail, run(CheckResult.warn("quorum", "w"))))
        .containsExactly("sentinel_check_recovered persistence null");
    NotificationEvent e = SentinelMonitor.changes(pass, fail, "h").get(0);
    assertThat(e.toJson())
        .containsEntry("dataset", "ds")
        .containsEntry("reason", "none")
        .containsEntry("host", "h");
  }
}
