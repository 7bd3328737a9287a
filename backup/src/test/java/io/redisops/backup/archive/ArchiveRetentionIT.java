package io.redisops.backup.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.fixtures.TestManifests;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.PruneService;
import io.redisops.storage.LocalRepository;
import io.redisops.storage.StoredObject;
import io.redisops.time.TimeFormats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * retention.archive through the prune path on a local repository: a dry run shows the segments it
 * would delete and deletes nothing; the prune deletes them (records and content), keeps what the
 * kept backups need, and drops the backups retention drops.
 */
class ArchiveRetentionIT {
  private static final String DS = "pitr";
  private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

  @TempDir Path dir;

  private static Manifest backup(BackupCatalog c, Instant at, long offset) throws Exception {
    Manifest m =
        TestManifests.builder(DS, TimeFormats.STAMP.format(at))
            .snapshotTime(at)
            .tiers(Tier.HOURLY)
            .stream(new Manifest.StreamPosition("r1", offset, 0))
            .build();
    c.repository()
        .write(c.objectKey(m.id(), m.object()), out -> out.write(new byte[(int) m.storedSize()]));
    c.saveManifest(m);
    return m;
  }

  @Test
  void pruneAppliesArchiveRetentionLocally() throws Exception {
    LocalRepository repo = new LocalRepository(dir.resolve("repo"));
    BackupContext context =
        TestBackupContext.of(repo, dir.resolve("repo"))
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .build();
    BackupCatalog catalog = context.catalog(DS);
    ArchiveStore store = new ArchiveStore(repo, Compression.ZSTD);
    Instant t0 = NOW.minus(Duration.ofDays(4));
    String tl = store.startTimeline(DS, "r1", 0, 0, t0, null, null, null).timeline();
    // 96 hourly segments of 10 stream bytes each, over four days.
    long offset = 0;
    for (int i = 0; i < 96; i++) {
      byte[] content = "#TS:1\r\n*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
      Instant at = t0.plus(Duration.ofHours(i));
      store.seal(DS, tl, "r1", offset, offset + 14, 0, 0, at, at, at, content, content.length);
      offset += 14;
    }
    // An hourly backup 3 days old (dropped by the 48 h hourly tier) and one 40 h old (kept) at the
    // start of segment 56.
    backup(catalog, t0.plus(Duration.ofHours(24)), 24 * 14);
    Manifest kept = backup(catalog, t0.plus(Duration.ofHours(56)), 56 * 14);

    PruneService prune = new PruneService(context);
    PruneService.Outcome dry = prune.pruneAll(DS, true, false, Set.of());
    // Segments 0..47 are older than 48 h and than the kept backup; 48..55 precede the kept backup
    // but are younger than retention.archive: they stay.
    assertThat(dry.archive().delete()).hasSize(48);
    assertThat(store.records(DS)).hasSize(96); // a dry run deletes nothing

    PruneService.Outcome done = prune.pruneAll(DS, false, false, Set.of());
    assertThat(done.backups().stream().filter(d -> d.keep()).map(d -> d.backup().id()))
        .containsExactly(kept.id());
    assertThat(done.archive().delete()).hasSize(48);
    List<ArchiveStore.SegmentRecord> left = store.records(DS);
    assertThat(left).hasSize(48);
    assertThat(left.get(0).startOffset()).isEqualTo(48 * 14L).isLessThan(kept.stream().offset());
    // No content without its record, no record without its content.
    List<String> names =
        repo.list(ArchiveStore.ROOT + "/" + DS + "/" + tl + "/").stream()
            .map(StoredObject::name)
            .filter(n -> !n.equals("timeline.json"))
            .toList();
    assertThat(names).hasSize(96);
    for (Segment s : store.segments(DS)) {
      try (var in = store.open(s)) {
        assertThat(in.readAllBytes()).hasSize((int) s.rawSize());
      }
    }
    // Once more: nothing else goes.
    assertThat(prune.pruneAll(DS, false, false, Set.of()).archive().delete()).isEmpty();
  }
}
