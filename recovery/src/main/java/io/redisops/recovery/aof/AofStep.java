package io.redisops.recovery.aof;

/** One step of an AOF repair or undo: it says what it will do (for the plan and {@code --dry-run}) and does it. */
public interface AofStep {
  /** One line, in the imperative, with the figures ("cut 21 bytes (1 command) from appendonly.aof.1.incr.aof"). */
  String describe();

  /** Does the step. @throws io.redisops.error.RedisOpsException when it fails; later steps are not run */
  void run(AofRun run);
}
