/**
 * The point-in-time archive: the replication stream that follows a base snapshot, kept as sealed,
 * checksummed segments in the repository. The archiver writes it ({@link
 * io.redisops.backup.archive.Segment} is what each segment records about itself); restore reads it
 * through {@link io.redisops.backup.archive.ArchiveReader} without knowing how it is stored.
 */
package io.redisops.backup.archive;
