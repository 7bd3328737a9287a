package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redisops.backup.catalog.ManifestCodec;
import io.redisops.sentinel.ArchiverAnnouncement;
import io.redisops.sentinel.Topology;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code sentinel status} lists the archiver apart from the replicas, as "archiver". */
class SentinelStatusArchiverTest {

  private static Topology topology(List<ArchiverAnnouncement.Attached> own) {
    Topology.Instance master =
        new Topology.Instance("127.0.0.1", 6379, "m", Set.of("master"), null, -1, null, -1, null);
    Topology.Instance replica =
        new Topology.Instance(
            "127.0.0.1", 6380, "r", Set.of("slave"), "ok", 900, 100L, 100, "127.0.0.1:6379");
    return new Topology(
        "mymaster",
        master,
        List.of(replica),
        List.of(),
        2,
        1,
        Duration.ofSeconds(5),
        Duration.ofMinutes(3),
        1000L,
        Instant.parse("2026-12-01T00:00:00Z"),
        false,
        null,
        own);
  }

  private static final ArchiverAnnouncement.Attached ARCHIVER =
      new ArchiverAnnouncement.Attached(
          ArchiverAnnouncement.Kind.ARCHIVER, "10.0.0.9", -1, "online", 990, 1, 10L);

  private static String print(Topology t) {
    StringWriter s = new StringWriter();
    SentinelStatusCommand.print(t, new PrintWriter(s));
    return s.toString();
  }

  @Test
  void theArchiverHasItsOwnTableNotAReplicaRow() {
    String text = print(topology(List.of(ARCHIVER)));
    assertThat(text)
        .containsPattern("REDIS-OPS\\s+FROM\\s+STATE")
        .containsPattern("archiver\\s+10\\.0\\.0\\.9\\s+online\\s+990\\s+10 B\\s+1 s ago");
    assertThat(text.lines().filter(l -> l.startsWith("127.0.0.1:") || l.startsWith("10.0.0.9")))
        .as("only the real replica is a replica row")
        .hasSize(1);
    assertThat(print(topology(List.of()))).doesNotContain("REDIS-OPS").doesNotContain("archiver");
  }

  @Test
  void theJsonDocumentListsItUnderOwnReplicas() throws Exception {
    JsonNode doc =
        ManifestCodec.mapper()
            .readTree(
                ManifestCodec.mapper()
                    .writeValueAsString(SentinelStatusCommand.toJson(topology(List.of(ARCHIVER)))));
    assertThat(doc.get("replicas")).hasSize(1);
    JsonNode a = doc.get("own_replicas").get(0);
    assertThat(a.get("kind").asText()).isEqualTo("archiver");
    assertThat(a.get("announced_port").asInt()).isEqualTo(-1);
    assertThat(a.get("lag_bytes").asLong()).isEqualTo(10);
    assertThat(a.get("ack_age_seconds").asLong()).isEqualTo(1);
  }
}
