/**
 * What the daemon tells the outside: Prometheus metrics, the /health answer, notification hooks
 * (webhook, command).
 */
package io.redisops.schedules.observe;
