/**
 * Choosing the backup to restore: by id, the latest, or the newest one taken at or before a time
 * ({@code --at}).
 */
package io.redisops.recovery.select;
