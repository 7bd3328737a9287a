package io.redisops.sentinel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SentinelEventTest {
  private static final Instant T = Instant.parse("2026-11-22T10:00:00Z");

  @Test
  void switchMasterNamesOldAndNewAddress() {
    SentinelEvent e =
        SentinelEvent.parse(
            T, "10.0.1.1:26379", "+switch-master", "mymaster 10.0.0.1 6379 10.0.0.2 6379");
    assertThat(e.masterName()).isEqualTo("mymaster");
    assertThat(e.instance()).isEqualTo("master mymaster 10.0.0.1:6379 -> 10.0.0.2:6379");
    assertThat(e.meaning()).contains("master changed");
    assertThat(e.isFailoverNotice()).isTrue();
  }

  @Test
  void instanceEventsNameTheirMaster() {
    SentinelEvent odown =
        SentinelEvent.parse(T, "s", "+odown", "master mymaster 10.0.0.1 6379 #quorum 2/2");
    assertThat(odown.instance()).isEqualTo("master mymaster 10.0.0.1:6379");
    assertThat(odown.meaning()).isEqualTo("master considered down by the quorum");
    assertThat(odown.isFailoverNotice()).isTrue();
    SentinelEvent sdown =
        SentinelEvent.parse(
            T, "s", "+sdown", "slave 10.0.0.2:6379 10.0.0.2 6379 @ mymaster 10.0.0.1 6379");
    assertThat(sdown.instance()).isEqualTo("slave 10.0.0.2:6379 of mymaster");
    assertThat(sdown.masterName()).isEqualTo("mymaster");
    assertThat(sdown.isFailoverNotice()).isFalse();
    assertThat(SentinelEvent.REFRESHING).contains(sdown.type());
  }

  @Test
  void abortsAndTiltAreNotices() {
    assertThat(
            SentinelEvent.parse(
                    T, "s", "-failover-abort-not-elected", "master mymaster 10.0.0.1 6379")
                .isFailoverNotice())
        .isTrue();
    SentinelEvent tilt = SentinelEvent.parse(T, "10.0.1.1:26379", "+tilt", "#tilt mode entered");
    assertThat(tilt.isFailoverNotice()).isTrue();
    assertThat(tilt.masterName()).isNull();
    assertThat(tilt.instance()).isEqualTo("sentinel 10.0.1.1:26379");
    assertThat(tilt.meaning()).startsWith("TILT mode");
  }

  @Test
  void unknownEventsStillHaveAMeaning() {
    assertThat(SentinelEvent.parse(T, "s", "+something-new", "x").meaning())
        .isEqualTo("sentinel event");
  }
}
