/**
 * Restore: choose a backup, probe the target Redis, and run the safe restore sequence (stop,
 * quarantine, place, start, check) as a plan of steps that can be resumed or rolled back.
 */
package io.redisops.recovery.restore;
