package io.redisops.schedules.status;

/**
 * Hears every change of a tier's status (for notifications). Called on the job's thread; must not
 * block long.
 */
public interface StatusListener {
  void changed(TierStatus before, TierStatus after);
}
