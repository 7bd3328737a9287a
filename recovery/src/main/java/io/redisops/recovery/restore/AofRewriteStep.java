package io.redisops.recovery.restore;

import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisSession;
import java.util.Map;

/**
 * Step 8: switch AOF on at runtime and wait until the first rewrite has really finished: {@code aof_enabled:1} appears
 * at once and says nothing, and a rewrite may wait behind a BGSAVE with {@code aof_rewrite_scheduled:1}; so both flags
 * must be 0, {@code aof_rewrites} must have grown (it counts at the start) and the last status must be ok.
 */
final class AofRewriteStep implements RestoreStep {
  private final RestoreRun run;
  private final java.time.Duration timeout;

  AofRewriteStep(RestoreRun run, java.time.Duration timeout) {
    this.run = run;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "aof-rewrite";
  }

  @Override
  public String describe() {
    return "CONFIG SET appendonly yes; wait for aof_rewrite_in_progress:0, aof_rewrite_scheduled:0, aof_rewrites"
        + " increased and aof_last_bgrewrite_status:ok (a new " + run.target().appenddirname() + "/ from the restored data)";
  }

  @Override
  public String run(RestoreRun r) {
    long t0 = System.nanoTime();
    try (RedisSession redis = r.control().connect()) {
      Map<String, String> p = redis.info("persistence");
      long before = Long.parseLong(p.getOrDefault("aof_rewrites", "0"));
      if (!"1".equals(p.get("aof_enabled"))) {
        try {
          redis.call(() -> redis.commands().configSet("appendonly", "yes"));
        } catch (RedisOpsException e) {
          throw RedisOpsException.failed("CONFIG SET appendonly yes failed: " + e.getMessage(), e);
        }
      } else if (isDone(p, -1)) {
        return "AOF already on and rewritten"; // resumed after the rewrite had finished
      } else {
        before = -1; // resumed during the rewrite: its start was already counted
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      boolean shown = false;
      try {
        while (true) {
          p = redis.info("persistence");
          if (isDone(p, before)) {
            if (!"ok".equals(p.get("aof_last_bgrewrite_status"))) {
              throw RedisOpsException.failed("the AOF rewrite failed (aof_last_bgrewrite_status:"
                  + p.get("aof_last_bgrewrite_status") + ")" + r.control().logTail());
            }
            return String.format("AOF on, rewrite finished in %.1f s", (System.nanoTime() - t0) / 1e9);
          }
          if ("err".equals(p.get("aof_last_bgrewrite_status"))) {
            // Redis would retry it forever (a full disk stays full): a restore does not wait on hope.
            throw RedisOpsException.failed("the AOF rewrite failed (aof_last_bgrewrite_status:err; Redis retries it)"
                + r.control().logTail());
          }
          if (!"1".equals(p.get("aof_enabled"))) {
            throw RedisOpsException.failed("Redis switched AOF off again: the rewrite could not run"
                + r.control().logTail());
          }
          if (!shown && "1".equals(p.get("aof_rewrite_in_progress"))) {
            r.progress().begin("AOF rewrite", -1);
            shown = true;
          }
          if (System.nanoTime() - deadline > 0) {
            throw RedisOpsException.failed("the AOF rewrite did not finish within " + timeout.toMinutes() + " min");
          }
          RedisControl.pause();
        }
      } finally {
        if (shown) {
          r.progress().end();
        }
      }
    }
  }

  private static boolean isDone(Map<String, String> p, long before) {
    return "0".equals(p.get("aof_rewrite_in_progress")) && "0".equals(p.get("aof_rewrite_scheduled"))
        && Long.parseLong(p.getOrDefault("aof_rewrites", "0")) > before;
  }
}
