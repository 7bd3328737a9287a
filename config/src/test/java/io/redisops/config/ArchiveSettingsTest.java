package io.redisops.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.redisops.config.Settings.Overrides;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveSettingsTest {
  @TempDir Path dir;

  private ArchiveSettings resolve(String yaml) throws IOException {
    Config c = ConfigLoader.load(Files.writeString(dir.resolve("redis-ops.yaml"), yaml));
    return Settings.resolve(c, Overrides.none(), Map.of()).daemon().archive();
  }

  @Test
  void offByDefaultWithOneSecondSegments() throws IOException {
    ArchiveSettings a = resolve("repository:\n  path: /tmp/x\n");

    assertThat(a.enabled()).isFalse();
    assertThat(a.segment()).isEqualTo(Duration.ofSeconds(1));
    assertThat(a.segmentBytes()).isEqualTo(16L * 1024 * 1024);
  }

  @Test
  void theSectionIsRead() throws IOException {
    ArchiveSettings a =
        resolve("archive:\n  enabled: true\n  segment: 500ms\n  segment-size: 4mb\n");

    assertThat(a.enabled()).isTrue();
    assertThat(a.segment()).isEqualTo(Duration.ofMillis(500));
    assertThat(a.segmentBytes()).isEqualTo(4L * 1024 * 1024);
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    for (String[] c :
        new String[][] {
          {"segment: 10ms", "archive.segment"},
          {"segment: soon", "archive.segment"},
          {"segment-size: 1kb", "archive.segment-size"},
          {"segment-size: lots", "archive.segment-size"}
        }) {
      RedisOpsException e =
          catchThrowableOfType(
              RedisOpsException.class, () -> resolve("archive:\n  " + c[0] + "\n"));
      assertThat(e).as(c[0]).isNotNull();
      assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
      assertThat(e.getMessage()).startsWith(c[1] + ":");
    }
  }
}
