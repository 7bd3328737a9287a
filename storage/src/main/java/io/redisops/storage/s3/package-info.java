/**
 * The S3 driver of {@link io.redisops.storage.Repository}: AWS SDK v2 with the Apache client,
 * streamed multipart uploads, S3 errors turned into messages that name the bucket and key (never a
 * credential).
 */
package io.redisops.storage.s3;
