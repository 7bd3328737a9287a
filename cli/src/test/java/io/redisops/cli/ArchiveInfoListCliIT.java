package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redisops.backup.archive.ArchiveStore;
import io.redisops.backup.archive.Archiver;
import io.redisops.backup.archive.ArchiverStatus;
import io.redisops.backup.archive.Segment;
import io.redisops.backup.fixtures.TestArchivers;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.BackupService;
import io.redisops.redis.RedisEndpoint;
import io.redisops.storage.LocalRepository;
import io.redisops.testkit.Await;
import io.redisops.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code info} and {@code list} through the real jar show the point-in-time archive a real archiver
 * wrote from a real redis-server: in {@code info --json} (archived, timelines, gaps, from, to, lag,
 * enabled by the configuration) and in {@code list}'s text, one line after the table.
 */
class ArchiveInfoListCliIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path tmp;

  @Test
  void infoAndListShowTheArchive() throws Exception {
    LocalRepository repo = new LocalRepository(tmp.resolve("repo"));
    BackupContext c = TestBackupContext.of(repo).build();
    BackupService service = BackupService.standard(c);
    ArchiveStore store = new ArchiveStore(repo, c.compression());
    Segment newest;
    try (RedisServer redis =
        RedisServer.builder()
            .config("repl-diskless-sync", "yes")
            .config("repl-diskless-sync-delay", "0")
            .start()) {
      RedisEndpoint ep = RedisEndpoint.parse(redis.uri());
      Archiver archiver = TestArchivers.of("ds", () -> ep, store, c, service);
      Thread thread = new Thread(archiver, "archiver");
      thread.start();
      try {
        Await.until(
            WAIT,
            "the archiver streaming",
            () -> archiver.status().state() == ArchiverStatus.State.STREAMING);
        redis.sync().set("k", "v");
        assertThat(redis.sync().waitForReplication(1, 5000)).as("sealed").isEqualTo(1L);
      } finally {
        archiver.stop();
        thread.join(30_000);
      }
      assertThat(thread.isAlive()).isFalse();
      List<Segment> segments = store.segments("ds");
      assertThat(segments).isNotEmpty();
      newest = segments.get(segments.size() - 1);
    }
    Path config =
        Files.writeString(
            tmp.resolve("c.yaml"),
            String.join(
                "\n",
                "datasets:",
                "  - name: ds",
                "    redis: {uri: \"redis://127.0.0.1:1\"}",
                "repository: {path: \"" + repo.root() + "\"}",
                "archive: {enabled: true}",
                ""));

    RedisOpsProcess.Result info = RedisOpsProcess.run("-c", config.toString(), "--json", "info");
    assertThat(info.exitCode()).as(info.describe()).isZero();
    assertThat(RepoTree.jsonDocuments(info.stdout())).isEqualTo(1);
    JsonNode d = RepoTree.json(info.stdout()).path("datasets").get(0);
    assertThat(d.path("dataset").asText()).isEqualTo("ds");
    JsonNode a = d.path("archive");
    assertThat(a.path("enabled").asBoolean()).as(info.stdout()).isTrue();
    assertThat(a.path("offsite").isNull()).isTrue();
    assertThat(a.path("offsite_lag_seconds").isNull()).isTrue();
    JsonNode local = a.path("local");
    assertThat(local.path("archived").asBoolean()).as(info.stdout()).isTrue();
    assertThat(local.path("timelines").asInt()).isEqualTo(1);
    assertThat(local.path("gaps").asInt()).isZero();
    assertThat(local.path("newest_timeline").asText()).isEqualTo(newest.timeline());
    assertThat(Instant.parse(local.path("to").asText())).isEqualTo(newest.sealedAt());
    // the base the archiver stored is the only backup: the archive covers from its start
    assertThat(Instant.parse(local.path("from").asText()))
        .isBeforeOrEqualTo(newest.sealedAt())
        .isAfterOrEqualTo(
            Instant.parse(d.path("local").path("oldest").path("snapshot_time").asText()));
    assertThat(local.path("lag_seconds").asLong()).isNotNegative();
    assertThat(local.path("error").isNull()).isTrue();

    RedisOpsProcess.Result list = RedisOpsProcess.run("-c", config.toString(), "list");
    assertThat(list.exitCode()).as(list.describe()).isZero();
    assertThat(list.stdoutLines().get(0)).as(list.describe()).startsWith("ID");
    assertThat(list.stdoutLines())
        .as(list.describe())
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("archive of ds: local 1 timeline, 0 gaps, from ")
                    .contains(" ago)"));
  }
}
