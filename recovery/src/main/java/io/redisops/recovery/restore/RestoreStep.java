package io.redisops.recovery.restore;

import io.redisops.recovery.kernel.Step;

/**
 * One step of the safe restore sequence (docs/redis-facts.md, "The safe restore sequence"), on the
 * recovery kernel's step contract ({@link Step}): it describes itself with the values of this
 * restore, runs (again, after a crash: {@code --resume}) and undoes.
 */
public interface RestoreStep extends Step<RestoreRun> {}
