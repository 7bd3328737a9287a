package io.redisops.recovery.aof;

import io.redisops.recovery.kernel.Step;

/**
 * One step of an AOF repair or undo, on the recovery kernel's step contract ({@link Step}): it says
 * what it will do with the figures it works on (for the plan and {@code --dry-run}), does it
 * (again, after a crash: {@code --resume}) and undoes it ({@code --rollback}).
 */
public interface AofStep extends Step<AofRun> {}
