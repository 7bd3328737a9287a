package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redisops.backup.archive.ArchiveStore;
import io.redisops.backup.codec.Compression;
import io.redisops.storage.LocalRepository;
import io.redisops.testkit.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code archive status --json} through the real jar, over an archive written in-JVM: one document,
 * exit 0, the range with its segments, and the master's silence said in the document, not as a
 * failure.
 */
class ArchiveCliIT {
  @TempDir Path tmp;

  @Test
  void statusPrintsTheRangesAndSaysTheMasterDidNotAnswer() throws Exception {
    Path repo = tmp.resolve("repo");
    ArchiveStore store = new ArchiveStore(new LocalRepository(repo), Compression.ZSTD);
    Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
    String replid = "a".repeat(40);
    ArchiveStore.TimelineRecord t =
        store.startTimeline("pitr", replid, 100, 0, t0, null, null, null);
    byte[] ping = "#TS:1796112000\r\n*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
    store.seal(
        "pitr", t.timeline(), replid, 100, 114, 0, 0, t0, t0, t0.plusSeconds(1), ping, ping.length);
    int closed = FreePorts.next();

    RedisOpsProcess.Result r =
        RedisOpsProcess.run(
            "--repo",
            repo.toString(),
            "--dataset",
            "pitr",
            "--redis",
            "redis://127.0.0.1:" + closed,
            "--json",
            "archive",
            "status");

    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(RepoTree.jsonDocuments(r.stdout())).isEqualTo(1);
    JsonNode d = RepoTree.json(r.stdout()).path("datasets").get(0);
    assertThat(d.path("dataset").asText()).isEqualTo("pitr");
    assertThat(d.path("enabled").asBoolean()).isFalse();
    JsonNode range = d.path("ranges").get(0);
    assertThat(range.path("timeline").asText()).isEqualTo(t.timeline());
    assertThat(range.path("from_offset").asLong()).isEqualTo(100);
    assertThat(range.path("to_offset").asLong()).isEqualTo(114);
    assertThat(range.path("segments").asInt()).isEqualTo(1);
    assertThat(range.path("to").asText()).isEqualTo("2026-12-01T10:00:01Z");
    assertThat(d.path("master_offset").isNull()).isTrue();
    assertThat(d.path("master_error").asText()).contains("127.0.0.1:" + closed);
  }
}
