/**
 * The configuration file: YAML read with unknown keys refused, validated into the settings records
 * each service receives (datasets, schedules, retention, offsite, restore, daemon). Errors name the
 * key and the expected value.
 */
package io.redisops.config;
