/**
 * Stream helpers for backups: a stream that counts and digests what passes through it, and one that
 * tees a read into an analyser.
 */
package io.redisops.backup.io;
