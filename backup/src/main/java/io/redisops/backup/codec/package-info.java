/** Compression of backup files (zstd, gzip, none) as streams. */
package io.redisops.backup.codec;
