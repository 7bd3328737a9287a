package io.redisops.recovery.restore;

import static io.redisops.recovery.restore.RestoreSupport.backup;
import static io.redisops.recovery.restore.RestoreSupport.context;
import static io.redisops.recovery.restore.RestoreSupport.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.fixtures.TestManifests;
import io.redisops.backup.service.BackupContext;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.ProgressListener;
import io.redisops.recovery.kernel.Quarantine;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.RedisServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fetch's one pass over a real backup (decompression on a second thread, the RDB's SHA-256,
 * writes and analysis on the caller's): the file it leaves is the backup's RDB byte for byte, and
 * whatever fails, on either thread, leaves no file and says why.
 */
class VerifiedRdbWriterIT {
  @TempDir Path tmp;

  @Test
  void writesTheVerifiedRdbOrNothing() throws Exception {
    Manifest m;
    byte[] stored;
    try (RedisServer s = server(tmp.resolve("d")).build()) {
      s.start();
      DataFixture.fill(s.sync(), 1);
      BackupContext c = context(tmp.resolve("repo"));
      m = backup(c, s);
      try (InputStream in = c.catalog("ds").openObject(m)) {
        stored = in.readAllBytes();
      }
    }
    Path target = tmp.resolve("staged.rdb");

    VerifiedRdbWriter.write(new ByteArrayInputStream(stored), m, target, ProgressListener.NONE);
    assertThat(Files.size(target)).isEqualTo(m.rawSize());
    assertThat(Quarantine.sha256(target)).isEqualTo(m.rawSha256());

    // the RDB's SHA-256 against a manifest that says otherwise
    Manifest otherSha =
        TestManifests.from(m).checksums("0".repeat(64), m.storedSha256(), m.rdbCrc64()).build();
    assertRefused(stored, otherSha, target, "RDB SHA-256 differs from the manifest's");

    // an RDB cut in half, in a sound compressed frame: the analysis fails mid-stream while the
    // decompressing thread still reads
    byte[] raw;
    try (InputStream in =
        Compression.parse(m.compression()).decompress(new ByteArrayInputStream(stored))) {
      raw = in.readAllBytes();
    }
    ByteArrayOutputStream half = new ByteArrayOutputStream();
    try (OutputStream out = Compression.parse(m.compression()).compress(half)) {
      out.write(Arrays.copyOf(raw, raw.length / 2));
    }
    assertRefused(half.toByteArray(), m, target, "failed verification");
  }

  private static void assertRefused(byte[] stored, Manifest m, Path target, String why) {
    assertThatThrownBy(
            () ->
                VerifiedRdbWriter.write(
                    new ByteArrayInputStream(stored), m, target, ProgressListener.NONE))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.INTEGRITY);
              assertThat(e.getMessage()).contains(why);
            });
    assertThat(target).doesNotExist();
  }
}
