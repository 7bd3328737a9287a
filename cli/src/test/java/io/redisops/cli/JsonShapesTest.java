package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redisops.backup.catalog.ManifestCodec;
import io.redisops.sentinel.Topology;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The JSON documents are records now; the keys that only some objects have (a replica's link, what
 * a finished AOF repair did, an imported file's backup) must be absent, not null, where the
 * hand-built maps left them out.
 */
class JsonShapesTest {
  private static JsonNode json(Object value) throws Exception {
    return ManifestCodec.mapper().readTree(ManifestCodec.mapper().writeValueAsString(value));
  }

  private static List<String> keys(JsonNode n) {
    List<String> keys = new java.util.ArrayList<>();
    n.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  @Test
  void aMasterHasNoLinkAReplicaHasOneEvenWithNulls() throws Exception {
    Topology.Instance master =
        new Topology.Instance("127.0.0.1", 6379, "abc", Set.of("master"), null, -1, null, -1, null);
    Topology.Instance replica =
        new Topology.Instance(
            "127.0.0.1",
            6380,
            null,
            Set.of("slave", "s_down"),
            "err",
            5,
            null,
            100,
            "127.0.0.1:6379");
    assertThat(keys(json(SentinelStatusCommand.instance(master))))
        .containsExactly("address", "host", "port", "run_id", "state", "flags");
    JsonNode r = json(SentinelStatusCommand.instance(replica));
    assertThat(keys(r))
        .containsExactly(
            "address",
            "host",
            "port",
            "run_id",
            "state",
            "flags",
            "link",
            "follows",
            "offset",
            "lag_bytes",
            "priority");
    assertThat(r.get("lag_bytes").isNull()).isTrue();
    assertThat(r.get("run_id").isNull()).isTrue();
    assertThat(r.get("flags")).hasSize(2);
    assertThat(r.get("flags").get(0).asText()).isEqualTo("s_down");
  }

  @Test
  void anAofPlanThatDidNotRunHasNoOutcomeKeys() throws Exception {
    AofCommand.CheckJson check = new AofCommand.CheckJson("/x", true, "none", List.of(), null);
    JsonNode planned =
        json(
            new AofCommand.PlanJson(
                "repair",
                true,
                false,
                List.of("f"),
                List.of("p"),
                null,
                3,
                1,
                List.of(),
                null,
                false,
                null,
                check,
                null));
    assertThat(keys(planned))
        .containsExactly(
            "action",
            "dry_run",
            "nothing_to_do",
            "findings",
            "plan",
            "quarantine",
            "removed_bytes",
            "removed_commands",
            "removed",
            "last_intact_time",
            "done",
            "check");
    JsonNode done =
        json(
            new AofCommand.PlanJson(
                "repair",
                false,
                false,
                List.of(),
                List.of(),
                "/q",
                3,
                1,
                List.of(),
                null,
                true,
                new AofCommand.DoneJson(5, 4, 123, true),
                check,
                null));
    assertThat(keys(done))
        .containsExactly(
            "action",
            "dry_run",
            "nothing_to_do",
            "findings",
            "plan",
            "quarantine",
            "removed_bytes",
            "removed_commands",
            "removed",
            "last_intact_time",
            "done",
            "keys_before",
            "keys_after",
            "started_pid",
            "valid_after",
            "check");
    assertThat(keys(done.get("check")))
        .containsExactly("aof", "valid", "damage", "files", "redis_check_aof_says");
    // a --rollback's outcome says what was undone, last
    JsonNode rolledBack =
        json(
            new AofCommand.PlanJson(
                "repair",
                false,
                false,
                List.of(),
                List.of(),
                "/q",
                0,
                0,
                List.of(),
                null,
                true,
                new AofCommand.DoneJson(5, 5, 123, true),
                check,
                "the AOF as it was is back"));
    assertThat(keys(rolledBack)).endsWith("check", "rolled_back");
  }

  @Test
  void anImportedFileAndARefusedOne() throws Exception {
    JsonNode refused =
        json(
            new ImportCommand.FileJson(
                "/a.rdb",
                "refused",
                null,
                null,
                new ImportCommand.NotImportedJson("fails its CRC64 check")));
    assertThat(keys(refused)).containsExactly("path", "status", "reason");
    JsonNode skipped =
        json(
            new ImportCommand.FileJson(
                "/b.rdb",
                "skipped",
                "20261122T100000Z",
                null,
                new ImportCommand.NotImportedJson("already in the catalog")));
    assertThat(keys(skipped)).containsExactly("path", "status", "id", "reason");
    JsonNode imported =
        json(
            new ImportCommand.FileJson(
                "/c.rdb",
                "imported",
                "20261122T100000Z",
                new ImportCommand.ImportedJson(
                    List.of("daily"), "2026-11-22T10:00:00Z", "ctime", null, "checksum"),
                null));
    assertThat(keys(imported))
        .containsExactly(
            "path",
            "status",
            "id",
            "tiers",
            "snapshot_time",
            "time_source",
            "total_keys",
            "verification");
    assertThat(imported.get("total_keys").isNull()).isTrue();
  }

  @Test
  void pruneLeavesOutThePlaceItDidNotPrune() throws Exception {
    JsonNode local =
        json(
            new PruneCommand.PruneJson(
                "ds",
                List.of("ds"),
                true,
                List.of(new PruneCommand.DecisionJson("ds", "x", true, "r")),
                null,
                null,
                null));
    assertThat(keys(local)).containsExactly("dataset", "datasets", "dry_run", "decisions");
    assertThat(keys(local.get("decisions").get(0)))
        .containsExactly("dataset", "id", "keep", "reason");
  }
}
