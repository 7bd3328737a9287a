package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data-sharing archive's training run does what it is for: every command succeeds on its
 * scratch repository (a manifest format that drifted from the sample would show here, not as an
 * archive that silently lacks the classes of reading one), and its point-in-time archive is one
 * that {@code list} and {@code info} read.
 */
class CdsTrainingTest {
  @TempDir Path tmp;

  @Test
  void everyCommandOfTheTrainingRunSucceeds() throws Exception {
    assertThat(CdsTraining.train(tmp)).hasSize(8).containsOnly(0);
    // its archive is one list and info read (a record format that drifted would show here)
    io.redisops.backup.archive.ArchiveSummary.Place archive =
        new io.redisops.backup.archive.ArchiveSummary(java.time.Clock.systemUTC())
            .place(
                new io.redisops.backup.archive.ArchiveStore(
                    new io.redisops.storage.LocalRepository(tmp.resolve("repo")),
                    io.redisops.backup.codec.Compression.ZSTD),
                CdsTraining.DATASET,
                null);
    assertThat(archive.error()).isNull();
    assertThat(archive.archived()).isTrue();
    assertThat(archive.to()).isEqualTo(java.time.Instant.parse("2026-01-01T00:00:01Z"));
  }
}
