package io.redisops.schedules;

import io.redisops.sentinel.SentinelEvent;

/**
 * Hears the failover events of Sentinel-monitored datasets ({@code +switch-master}, {@code +odown},
 * {@code -failover-abort-*}, {@code +tilt}), once per event even though every sentinel publishes
 * it: the daemon's notification hook, like Sentinel's own {@code notification-script}. Called on an
 * event thread; must not block.
 */
@FunctionalInterface
public interface FailoverListener {
  void failover(String dataset, SentinelEvent event);
}
