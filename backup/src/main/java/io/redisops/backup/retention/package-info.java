/** Retention: which backups of each tier to keep (by count and age), never the newest good one. */
package io.redisops.backup.retention;
