/**
 * The daemon's in-memory status of each dataset and tier, read by /health, the metrics and the
 * logs.
 */
package io.redisops.schedules.status;
