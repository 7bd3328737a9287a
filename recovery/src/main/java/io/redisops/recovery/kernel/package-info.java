/**
 * The recovery kernel that restore and the AOF tools share: one Redis process control ({@link
 * io.redisops.recovery.kernel.ProcessControl}: service manager, configured start and stop commands,
 * {@code SHUTDOWN NOSAVE}, pidfile, readiness through {@code LOADING}, log tail, every wait on the
 * injected clock), one quarantine ({@link io.redisops.recovery.kernel.Quarantine}: {@code <data
 * dir>/redis-ops-quarantine/<UTC time>-<purpose>/}) and one plan/step framework ({@link
 * io.redisops.recovery.kernel.Step}, {@link io.redisops.recovery.kernel.StepRunner}, {@link
 * io.redisops.recovery.kernel.StepState}, {@link io.redisops.recovery.kernel.StateStore}): steps
 * that describe themselves, run and undo, the run state saved after each step for {@code --resume}
 * and {@code --rollback}.
 */
package io.redisops.recovery.kernel;
