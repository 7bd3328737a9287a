/**
 * The AOF tools: check an append-only file set with redis-check-aof and redis-ops' own checks,
 * repair a truncated tail, undo a FLUSHALL; each runs as a plan of steps on the recovery kernel.
 */
package io.redisops.recovery.aof;
