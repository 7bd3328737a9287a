/**
 * The daemon: per-dataset workers that run the scheduled backups (Quartz), follow Sentinel
 * failovers to pick the source, and push offsite.
 */
package io.redisops.schedules;
