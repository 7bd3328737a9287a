package io.redisops.recovery.restore;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisEndpoint;
import io.redisops.redis.RedisSession;
import java.time.Duration;
import java.util.Map;

/**
 * {@code restore --to URI}: the checks that make restoring into another Redis of this host safe.
 * The target must be another server than the dataset's own and not a replica (its master would
 * overwrite the restored data at the next sync), and, unless {@code --force}, hold no keys (they
 * would be replaced).
 */
public final class OtherInstance {
  private OtherInstance() {}

  /**
   * Refuses a target that is the dataset's own server (exit 2), a replica (exit 5; the safe
   * sequence never restores into a replica), and unless {@code force} one that holds keys or cannot
   * be asked (exit 5).
   */
  public static void check(
      RedisEndpoint target, RedisEndpoint dataset, boolean force, Duration timeout) {
    if (target.host().equals(dataset.host()) && target.port() == dataset.port()) {
      throw RedisOpsException.usage(
          "--to " + target.address() + " is the dataset's own Redis; restore into it without --to");
    }
    RedisSession redis;
    try {
      redis = RedisConnector.connect(target, timeout);
    } catch (RedisOpsException e) {
      if (e.exitCode() != ExitCode.FAILED) {
        throw e;
      }
      if (force) {
        return; // restored as a stopped server from its config file (--config-file)
      }
      throw RedisOpsException.refused(
          "Redis at "
              + target.address()
              + " does not answer, so whether it holds data or replicates cannot be told; start it,"
              + " or give --force to restore into it from its config file (--config-file)");
    }
    try (redis) {
      String role = redis.info("replication").getOrDefault("role", "?");
      if (!"master".equals(role)) {
        throw RedisOpsException.refused(
            "Redis at "
                + target.address()
                + " is a "
                + ("slave".equals(role) ? "replica" : role)
                + ": its master would replace the restored data; detach it first (REPLICAOF NO ONE)");
      }
      long keys = 0;
      for (Map.Entry<Integer, Long> e : KeyCounts.loaded(redis).entrySet()) {
        keys += e.getValue();
      }
      if (keys > 0 && !force) {
        throw RedisOpsException.refused(
            "Redis at "
                + target.address()
                + " holds "
                + keys
                + " keys, which the restore would replace; give --force to replace them");
      }
    }
  }
}
