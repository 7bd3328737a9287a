package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data-sharing archive's training run does what it is for: every command succeeds on its
 * scratch repository (a manifest format that drifted from the sample would show here, not as an
 * archive that silently lacks the classes of reading one).
 */
class CdsTrainingTest {
  @TempDir Path tmp;

  @Test
  void everyCommandOfTheTrainingRunSucceeds() throws Exception {
    assertThat(CdsTraining.train(tmp)).hasSize(8).containsOnly(0);
  }
}
