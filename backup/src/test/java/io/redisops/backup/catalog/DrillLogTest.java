package io.redisops.backup.catalog;

import static io.redisops.backup.fixtures.TestManifests.manifest;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.storage.LocalRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrillLogTest {
  private static final Instant T0 = Instant.parse("2026-11-22T11:00:00Z");

  @TempDir Path root;

  private static DrillRecord drill(String id, Instant at, String result, String reason) {
    TreeMap<Integer, Long> keys = new TreeMap<>();
    keys.put(0, 10L);
    return new DrillRecord(
        DrillRecord.FORMAT_VERSION,
        id,
        "cache",
        DrillRecord.FROM_LOCAL,
        at.minusSeconds(2),
        at,
        result,
        reason,
        0.25,
        keys,
        keys,
        10L,
        "Redis 7.0.15 (/usr/bin/redis-server)",
        "test");
  }

  private static Manifest store(BackupCatalog catalog, String id, Instant time) throws IOException {
    Manifest m = manifest(catalog.dataset(), id, time);
    catalog.repository().write(catalog.objectKey(id, m.object()), out -> out.write(1));
    catalog.saveManifest(m);
    return m;
  }

  @Test
  void recordsBesideTheManifestWithoutTouchingItAndFindsTheNewest() throws IOException {
    BackupCatalog catalog = new BackupCatalog(new LocalRepository(root), "cache");
    store(catalog, "20261122T110000Z", T0);
    store(catalog, "20261122T120000Z", T0.plusSeconds(3600));
    Path manifest = root.resolve("cache/20261122T110000Z/manifest.json");
    byte[] before = Files.readAllBytes(manifest);
    DrillLog drills = new DrillLog(catalog);

    assertThat(drills.find("20261122T110000Z")).isEmpty();
    assertThat(drills.newest()).isEmpty();

    drills.record(drill("20261122T110000Z", T0.plusSeconds(7200), DrillRecord.PASS, null));
    drills.record(
        drill("20261122T120000Z", T0.plusSeconds(7300), DrillRecord.FAIL, "db0 has 9 keys"));

    assertThat(Files.readAllBytes(manifest)).isEqualTo(before);
    assertThat(Files.readString(root.resolve("cache/20261122T110000Z/drill.json"), UTF_8))
        .contains("\"result\" : \"pass\"", "\"load_seconds\" : 0.25", "\"backup_id\"");
    assertThat(drills.find("20261122T110000Z"))
        .get()
        .extracting(DrillRecord::passed)
        .isEqualTo(true);
    assertThat(drills.all()).containsOnlyKeys("20261122T110000Z", "20261122T120000Z");
    assertThat(drills.newest()).get().extracting(DrillRecord::reason).isEqualTo("db0 has 9 keys");
    // A drill record is part of the backup: listed as usable, deleted with it.
    assertThat(catalog.list()).hasSize(2);
    catalog.delete("20261122T120000Z");
    assertThat(drills.all()).containsOnlyKeys("20261122T110000Z");
  }

  @Test
  void anUnreadableRecordCountsAsNoDrill() throws IOException {
    BackupCatalog catalog = new BackupCatalog(new LocalRepository(root), "cache");
    store(catalog, "20261122T110000Z", T0);
    catalog
        .repository()
        .write(
            catalog.objectKey("20261122T110000Z", DrillRecord.FILE_NAME),
            out -> out.write("{not json".getBytes(UTF_8)));
    assertThat(new DrillLog(catalog).find("20261122T110000Z")).isEmpty();
  }
}
