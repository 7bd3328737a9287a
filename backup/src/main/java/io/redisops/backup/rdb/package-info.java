/**
 * Reading RDB files without loading them: every Redis (RDB 1 to 15) and Valkey format, checksums,
 * value encodings validated blob by blob; the verification a backup must pass before it counts.
 */
package io.redisops.backup.rdb;
