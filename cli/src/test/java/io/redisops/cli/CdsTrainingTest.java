package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  /**
   * The recorded class list of the data commands' archive is there, holds what those commands load
   * (ours, Lettuce, Netty, zstd-jni, the AWS SDK) and still names classes of this class path: one
   * that a refactoring or a dependency upgrade left mostly stale needs bench/cds-classes.sh run
   * again (CONTRIBUTING.md).
   */
  @Test
  void theDataCommandsClassListResolvesOnTheClassPath() {
    List<String> names = CdsTraining.classList();
    assertThat(names)
        .as("cds-classes.txt")
        .hasSizeGreaterThan(1000)
        .doesNotHaveDuplicates()
        .contains(
            "io.redisops.backup.rdb.RdbAnalyzer",
            "io.lettuce.core.RedisClient",
            "io.netty.bootstrap.Bootstrap",
            "com.github.luben.zstd.ZstdOutputStream",
            "software.amazon.awssdk.services.s3.S3Client");
    assertThat(names.stream().filter(n -> !n.matches("[\\w$]+(\\.[\\w$]+)+")).toList())
        .as("names of cds-classes.txt that are no binary class names")
        .isEmpty();
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      try {
        Class.forName(name, false, getClass().getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        missing.add(name);
      }
    }
    // a few may go with a dependency's internals; more means the list is out of date
    assertThat(missing)
        .as("names of cds-classes.txt that no longer resolve (run bench/cds-classes.sh)")
        .hasSizeLessThan(names.size() / 20);
    assertThat(CdsTraining.preload(getClass().getClassLoader(), names))
        .isEqualTo(names.size() - missing.size());
  }

  /**
   * The other commands' archive gets the classes of backup, restore and verify, and none of the S3
   * and Sentinel libraries that only the data archive's commands load.
   */
  @Test
  void theCoreListKeepsTheDataPathAndLeavesTheS3AndSentinelLibrariesOut() {
    List<String> core = CdsTraining.coreClassList();
    assertThat(core)
        .contains(
            "io.redisops.backup.rdb.RdbAnalyzer",
            "io.redisops.redis.RespConnection",
            "com.github.luben.zstd.ZstdOutputStream")
        .doesNotContain("io.lettuce.core.RedisClient", "io.netty.bootstrap.Bootstrap")
        .noneMatch(n -> n.startsWith("software.amazon."));
    assertThat(core.size()).isLessThan(CdsTraining.classList().size() * 2 / 3);
  }
}
