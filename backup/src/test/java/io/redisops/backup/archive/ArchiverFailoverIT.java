package io.redisops.backup.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.codec.Compression;
import io.redisops.backup.fixtures.TestArchivers;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.BackupService;
import io.redisops.redis.RedisEndpoint;
import io.redisops.storage.LocalRepository;
import io.redisops.testkit.Await;
import io.redisops.testkit.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failover in the middle of the stream: the replica is promoted, the old master goes away, the
 * archiver (asked for the master again) continues on the new one with the old replication id,
 * without a gap. The promotion is done by hand ({@code REPLICAOF NO ONE}), as Sentinel does it.
 */
class ArchiverFailoverIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void theArchiveContinuesOnThePromotedReplicaWithoutAGap() throws Exception {
    LocalRepository repo = new LocalRepository(dir.resolve("repo"));
    BackupContext context = TestBackupContext.of(repo).build();
    BackupService service = BackupService.standard(context);
    ArchiveStore store = new ArchiveStore(repo, Compression.ZSTD);
    try (RedisServer master =
            RedisServer.builder()
                .config("repl-diskless-sync", "yes")
                .config("repl-diskless-sync-delay", "0")
                .config(
                    "repl-ping-replica-period", "60") // no PING between the sync check and the kill
                .start();
        RedisServer replica =
            RedisServer.builder()
                .replicaOf(master)
                .config("repl-diskless-sync", "yes")
                .config("repl-diskless-sync-delay", "0")
                .start()) {
      AtomicReference<RedisEndpoint> current =
          new AtomicReference<>(RedisEndpoint.parse(master.uri()));
      Archiver archiver = TestArchivers.of("f", current::get, store, context, service);
      Thread thread = new Thread(archiver, "archiver-failover-it");
      thread.start();
      try {
        Await.until(
            WAIT,
            "the archiver streaming",
            () -> archiver.status().state() == ArchiverStatus.State.STREAMING);
        master.sync().set("before", "failover");
        String oldReplid = master.info("replication", "master_replid");
        Await.until(
            WAIT,
            "the replica in sync",
            () ->
                replica
                    .info("replication", "master_repl_offset")
                    .equals(master.info("replication", "master_repl_offset")));

        // The master dies (no shutdown: a SHUTDOWN sends the replicas more of the stream, which the
        // archive would then hold and the promoted replica not: a real divergence, a gap), then the
        // replica is promoted and named the master.
        master.kill9();
        replica.sync().replicaofNoOne();
        current.set(RedisEndpoint.parse(replica.uri()));
        Await.until(
            WAIT,
            "the archiver streaming from the new master",
            () ->
                archiver.status().state() == ArchiverStatus.State.STREAMING
                    && archiver.status().master() != null
                    && archiver.status().master().endsWith(":" + replica.port()));
        replica.sync().set("after", "failover");
        long target = Long.parseLong(replica.info("replication", "master_repl_offset"));
        List<Segment> segments =
            Await.value(
                WAIT,
                "the archive to reach offset " + target,
                () -> {
                  try {
                    List<Segment> s = store.segments("f");
                    return !s.isEmpty() && s.get(s.size() - 1).endOffset() >= target ? s : null;
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                });

        assertThat(store.timelines("f")).hasSize(1);
        StringBuilder all = new StringBuilder();
        Segment previous = null;
        for (Segment s : segments) {
          if (previous != null) {
            assertThat(s.startOffset()).isEqualTo(previous.endOffset());
          }
          previous = s;
          try (InputStream in = store.open(s)) {
            all.append(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
          }
        }
        assertThat(all).contains("$6\r\nbefore\r\n").contains("$5\r\nafter\r\n");
        String newReplid = replica.info("replication", "master_replid");
        assertThat(segments.get(0).replid()).isEqualTo(oldReplid);
        assertThat(segments.get(segments.size() - 1).replid()).isEqualTo(newReplid);
        assertThat(newReplid).isNotEqualTo(oldReplid);
      } finally {
        archiver.stop();
        thread.join(30_000);
      }
      assertThat(thread.isAlive()).isFalse();
    }
  }
}
