/**
 * Secrets (Redis passwords, S3 keys, encryption keys) wrapped so that they cannot be printed:
 * {@code toString()} never shows the value, which is read only where a client needs it.
 */
package io.redisops.secret;
