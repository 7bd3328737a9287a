package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.text.Sizes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The terminal line for work of unknown size and for server-side phases: what is known, never "? %"
 * or "0/?".
 */
class TerminalProgressTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final TerminalProgress progress =
      new TerminalProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8));

  private String shown() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void unknownTotalShowsBytesAndRateNotAQuestionMark() {
    progress.begin("download", -1);
    progress.advance(3 * 1024 * 1024);
    progress.end();
    assertThat(shown())
        .contains("download: 3.0 MiB, ")
        .contains("iB/s")
        .doesNotContain("?")
        .endsWith("\n");
  }

  @Test
  void aStatusLineIsRewrittenInPlaceAndEndsWithItsLastText() {
    progress.status(
        "BGSAVE on 127.0.0.1:7000", "rdb_bgsave_in_progress:1, 1 s, 10 of 100 keys", 10);
    progress.status(
        "BGSAVE on 127.0.0.1:7000", "rdb_bgsave_in_progress:1, 2 s, 50 of 100 keys", 50);
    progress.end();
    assertThat(shown())
        .startsWith("\rBGSAVE on 127.0.0.1:7000: 10.0 %, rdb_bgsave_in_progress:1, 1 s")
        .endsWith(
            "\rBGSAVE on 127.0.0.1:7000: 50.0 %, rdb_bgsave_in_progress:1, 2 s, 50 of 100 keys\n");
  }

  @Test
  void ratesHaveADigitBeforeThePoint() {
    assertThat(Sizes.rate(512 * 1024, Duration.ofSeconds(1))).isEqualTo("512.0 KiB/s");
    assertThat(Sizes.rate(3 * 1024 * 1024, Duration.ofSeconds(2))).isEqualTo("1.5 MiB/s");
    assertThat(Sizes.seconds(125)).isEqualTo("2 min 05 s");
  }
}
