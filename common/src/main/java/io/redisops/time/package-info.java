/**
 * Time as redis-ops handles it: the formats it writes (ids, folder names, screens) and deadlines
 * measured on an injected {@link java.time.Clock}, so that tests can move time and every wait has
 * one shape.
 */
package io.redisops.time;
