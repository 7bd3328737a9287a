package io.redisops.recovery.restore;

import io.redisops.error.RedisOpsException;
import io.redisops.recovery.kernel.ProcessControl;
import io.redisops.redis.RedisSession;
import io.redisops.time.Deadline;
import java.util.Map;

/**
 * Step 8: switch AOF on at runtime and wait until the first rewrite has really finished: {@code
 * aof_enabled:1} appears at once and says nothing, and a rewrite may wait behind a BGSAVE with
 * {@code aof_rewrite_scheduled:1}; so both flags must be 0, {@code aof_rewrites} must have grown
 * (it counts at the start) and the last status must be ok.
 */
final class AofRewriteStep implements RestoreStep {
  private final RestoreRun run;
  private final java.time.Duration timeout;
  private final boolean fold;

  AofRewriteStep(RestoreRun run, java.time.Duration timeout) {
    this(run, timeout, false);
  }

  /**
   * @param fold the server already runs with AOF on (a point-in-time restore loaded its laid-out
   *     AOF): a {@code BGREWRITEAOF} folds base and commands into a new base; again after a resume,
   *     which is harmless
   */
  AofRewriteStep(RestoreRun run, java.time.Duration timeout, boolean fold) {
    this.run = run;
    this.timeout = timeout;
    this.fold = fold;
  }

  @Override
  public String name() {
    return "aof-rewrite";
  }

  @Override
  public String describe() {
    if (fold) {
      return "BGREWRITEAOF to fold the laid-out base and commands into a new base; wait for"
          + " aof_rewrite_in_progress:0, aof_rewrite_scheduled:0, aof_rewrites increased and"
          + " aof_last_bgrewrite_status:ok";
    }
    return "CONFIG SET appendonly yes; wait for aof_rewrite_in_progress:0, aof_rewrite_scheduled:0, aof_rewrites"
        + " increased and aof_last_bgrewrite_status:ok (a new "
        + run.target().appenddirname()
        + "/ from the restored data)";
  }

  @Override
  public String run(RestoreRun r) {
    Deadline deadline = Deadline.after(r.control().clock(), timeout);
    try (RedisSession redis = r.control().connect()) {
      Map<String, String> p = redis.info("persistence");
      long before = Long.parseLong(p.getOrDefault("aof_rewrites", "0"));
      if (!"1".equals(p.get("aof_enabled"))) {
        try {
          redis.call(() -> redis.command("CONFIG", "SET", "appendonly", "yes"));
        } catch (RedisOpsException e) {
          throw RedisOpsException.failed("CONFIG SET appendonly yes failed: " + e.getMessage(), e);
        }
      } else if (fold) {
        try {
          redis.call(() -> redis.command("BGREWRITEAOF"));
        } catch (RedisOpsException e) {
          if (!e.getMessage().contains("already in progress")) {
            throw RedisOpsException.failed("BGREWRITEAOF failed: " + e.getMessage(), e);
          }
          before = -1;
        }
      } else if (isDone(p, -1)) {
        return "AOF already on and rewritten"; // resumed after the rewrite had finished
      } else {
        before = -1; // resumed during the rewrite: its start was already counted
      }
      boolean shown = false;
      try {
        while (true) {
          p = redis.info("persistence");
          if (isDone(p, before)) {
            if (!"ok".equals(p.get("aof_last_bgrewrite_status"))) {
              throw RedisOpsException.failed(
                  "the AOF rewrite failed (aof_last_bgrewrite_status:"
                      + p.get("aof_last_bgrewrite_status")
                      + ")"
                      + r.control().logTail());
            }
            if (shown) {
              r.progress()
                  .status(
                      "AOF rewrite",
                      "finished, aof_rewrites:"
                          + p.get("aof_rewrites")
                          + ", "
                          + io.redisops.text.Sizes.seconds(deadline.elapsed().toSeconds()),
                      100);
            }
            return String.format(
                "AOF on, rewrite finished in %.1f s", deadline.elapsed().toMillis() / 1000.0);
          }
          if ("err".equals(p.get("aof_last_bgrewrite_status"))) {
            // Redis would retry it forever (a full disk stays full): a restore does not wait on
            // hope.
            throw RedisOpsException.failed(
                "the AOF rewrite failed (aof_last_bgrewrite_status:err; Redis retries it)"
                    + r.control().logTail());
          }
          if (!"1".equals(p.get("aof_enabled"))) {
            throw RedisOpsException.failed(
                "Redis switched AOF off again: the rewrite could not run" + r.control().logTail());
          }
          r.progress()
              .status(
                  "AOF rewrite",
                  rewriteStatus(p, deadline.elapsed().toSeconds()),
                  rewritePercent(p));
          shown = true;
          if (deadline.passed()) {
            throw RedisOpsException.failed(
                "the AOF rewrite did not finish within " + timeout.toMinutes() + " min");
          }
          ProcessControl.pause();
        }
      } finally {
        if (shown) {
          r.progress().end();
        }
      }
    }
  }

  /**
   * What INFO persistence tells of the rewrite: whether it runs or waits behind a save, for how
   * long, and the keys written so far (Redis 7.0: {@code current_save_keys_processed} of {@code
   * current_save_keys_total}). No byte count or total is known in advance, so none is shown.
   */
  static String rewriteStatus(Map<String, String> p, long elapsedSeconds) {
    StringBuilder d = new StringBuilder();
    if ("1".equals(p.get("aof_rewrite_in_progress"))) {
      d.append("aof_rewrite_in_progress:1");
    } else if ("1".equals(p.get("aof_rewrite_scheduled"))) {
      d.append("aof_rewrite_scheduled:1 (waits for a running save)");
    } else {
      d.append("starting");
    }
    d.append(", ").append(io.redisops.text.Sizes.seconds(elapsedSeconds));
    String done = p.get("current_save_keys_processed");
    String total = p.get("current_save_keys_total");
    if ("1".equals(p.get("aof_rewrite_in_progress"))
        && done != null
        && total != null
        && !"0".equals(total)) {
      d.append(", ").append(done).append(" of ").append(total).append(" keys");
    }
    return d.toString();
  }

  static double rewritePercent(Map<String, String> p) {
    try {
      long total = Long.parseLong(p.getOrDefault("current_save_keys_total", "0"));
      long done = Long.parseLong(p.getOrDefault("current_save_keys_processed", "0"));
      return "1".equals(p.get("aof_rewrite_in_progress")) && total > 0
          ? Math.min(100.0, done * 100.0 / total)
          : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean isDone(Map<String, String> p, long before) {
    return "0".equals(p.get("aof_rewrite_in_progress"))
        && "0".equals(p.get("aof_rewrite_scheduled"))
        && Long.parseLong(p.getOrDefault("aof_rewrites", "0")) > before;
  }
}
