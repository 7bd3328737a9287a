/**
 * Point-in-time restore from the archive ({@link io.redisops.backup.archive.ArchiveReader}): which
 * base and segments cover an instant ({@link io.redisops.recovery.pitr.ArchiveSelection}), where
 * the stream is cut ({@link io.redisops.recovery.pitr.StreamCut}, {@link
 * io.redisops.recovery.pitr.CutRule}) and how base and cut stream are laid out as a Redis 7
 * multi-part AOF ({@link io.redisops.recovery.pitr.AofLayout}). Pure logic: the restore steps that
 * use it are in {@link io.redisops.recovery.restore}.
 */
package io.redisops.recovery.pitr;
