/**
 * Restore drills: a backup loaded into a scratch server of its source's engine and version on a
 * free loopback port, its key counts held against the manifest, the outcome recorded beside the
 * manifest.
 */
package io.redisops.recovery.drill;
