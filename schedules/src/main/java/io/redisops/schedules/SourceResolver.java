package io.redisops.schedules;

import io.redisops.redis.RedisEndpoint;

/**
 * Decides, at each scheduled run, which Redis a dataset's backup is taken from, or that this daemon
 * should not take it. A plain dataset always answers its configured endpoint; a Sentinel-monitored
 * dataset follows the topology (healthy replica with the least lag, else the master) and tells
 * daemons on other hosts to skip.
 */
@FunctionalInterface
public interface SourceResolver {

  /**
   * The choice for one run: an endpoint to back up, or a reason to skip this run.
   *
   * @param otherHost the run is skipped because another host's Redis is the chosen source: that
   *     host's daemon takes the backup, so this daemon is healthy as long as it can see that backup
   */
  record Choice(RedisEndpoint endpoint, String skipReason, boolean otherHost) {
    public static Choice of(RedisEndpoint endpoint) {
      return new Choice(endpoint, null, false);
    }

    public static Choice skip(String reason) {
      return new Choice(null, reason, false);
    }

    public static Choice otherHost(String reason) {
      return new Choice(null, reason, true);
    }

    public boolean skipped() {
      return endpoint == null;
    }
  }

  Choice choose();

  /** Always the same endpoint. */
  static SourceResolver fixed(RedisEndpoint endpoint) {
    return () -> Choice.of(endpoint);
  }
}
