/**
 * Where a backup's RDB comes from: BGSAVE on this host, or the replication stream (PSYNC/SYNC) from
 * any reachable server; framing of the streamed RDB and the handshake.
 */
package io.redisops.backup.snapshot;
