package io.redisops.recovery.restore;

import io.redisops.error.RedisOpsException;
import io.redisops.recovery.kernel.ProcessControl;
import io.redisops.redis.RedisSession;
import io.redisops.time.Deadline;
import java.time.Duration;
import java.util.Map;

/**
 * Point-in-time restore of a Redis that ran without AOF: it loaded the laid-out AOF, so AOF goes
 * off again at runtime and a {@code BGSAVE} writes the restored data to {@code dbfilename}, where
 * it will load it from. Finished when {@code rdb_bgsave_in_progress:0}, {@code rdb_saves} grew (it
 * counts at the fork) and {@code rdb_last_bgsave_status:ok} (docs/redis-facts.md, "Snapshots").
 */
final class SaveStep implements RestoreStep {
  private final RestoreRun run;
  private final Duration timeout;

  SaveStep(RestoreRun run, Duration timeout) {
    this.run = run;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "save";
  }

  @Override
  public String describe() {
    return "CONFIG SET appendonly no (it was off); BGSAVE and wait for rdb_bgsave_in_progress:0, rdb_saves"
        + " increased and rdb_last_bgsave_status:ok: "
        + run.target().rdbPath()
        + " holds the restored data";
  }

  @Override
  public String run(RestoreRun r) {
    Deadline deadline = Deadline.after(r.control().clock(), timeout);
    try (RedisSession redis = r.control().connect()) {
      redis.call(() -> redis.command("CONFIG", "SET", "appendonly", "no"));
      long before = Long.parseLong(redis.info("persistence").getOrDefault("rdb_saves", "-1"));
      try {
        redis.call(() -> redis.command("BGSAVE"));
      } catch (RedisOpsException e) {
        if (!e.getMessage().contains("already in progress")) {
          throw RedisOpsException.failed("BGSAVE failed: " + e.getMessage(), e);
        }
        before = -1; // a save that started after the load holds the restored data as well
      }
      while (true) {
        Map<String, String> p = redis.info("persistence");
        if ("0".equals(p.get("rdb_bgsave_in_progress"))
            && Long.parseLong(p.getOrDefault("rdb_saves", "0")) > before) {
          if (!"ok".equals(p.get("rdb_last_bgsave_status"))) {
            throw RedisOpsException.failed(
                "the BGSAVE failed (rdb_last_bgsave_status:"
                    + p.get("rdb_last_bgsave_status")
                    + ")"
                    + r.control().logTail());
          }
          return String.format(
              "AOF off, %s written in %.1f s",
              r.target().dbfilename(), deadline.elapsed().toMillis() / 1000.0);
        }
        if (deadline.passed()) {
          throw RedisOpsException.failed(
              "the BGSAVE did not finish within " + timeout.toMinutes() + " min");
        }
        ProcessControl.pause();
      }
    }
  }
}
