/**
 * Errors users see: {@link io.redisops.error.RedisOpsException} carries the one line printed on
 * stderr and the documented {@link io.redisops.error.ExitCode}. Every module throws these instead
 * of inventing its own failure types, so the command line maps them to exit codes in one place.
 */
package io.redisops.error;
