package io.redisops.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.sentinel.SentinelEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Failover events reaching the hook once (the choice of the server to back up from: {@code
 * BackupFromTest} in sentinel-core).
 */
class SentinelSourceChoiceTest {
  private static final Instant T = Instant.parse("2026-11-22T10:00:00Z");

  @Test
  void eachFailoverEventReachesTheListenersOnceThoughEverySentinelPublishesIt() {
    List<String> heard = new ArrayList<>();
    List<FailoverListener> listeners = FailoverEvents.newList();
    listeners.add((dataset, e) -> heard.add(dataset + " " + e.type() + " from " + e.sentinel()));
    FailoverEvents events =
        new FailoverEvents("mymaster", Clock.fixed(T, ZoneOffset.UTC), listeners);
    for (String s : List.of("s1", "s2", "s3")) {
      events.onEvent(
          SentinelEvent.parse(T, s, "+switch-master", "mymaster 10.0.0.1 6379 10.0.0.2 6379"));
      events.onEvent(SentinelEvent.parse(T, s, "+sdown", "master mymaster 10.0.0.1 6379"));
    }
    events.onEvent(
        SentinelEvent.parse(T, "s1", "+odown", "master mymaster 10.0.0.1 6379 #quorum 2/2"));
    assertThat(heard).containsExactly("mymaster +switch-master from s1", "mymaster +odown from s1");
  }
}
