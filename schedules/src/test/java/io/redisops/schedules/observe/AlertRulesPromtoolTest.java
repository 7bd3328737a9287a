package io.redisops.schedules.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code promtool check rules} (Debian's {@code prometheus} package) accepts the shipped alert
 * rules.
 */
class AlertRulesPromtoolTest {
  @TempDir Path tmp;

  @Test
  void promtoolAcceptsTheRules() throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    Assumptions.assumeTrue(
        Files.isExecutable(promtool), "promtool is not installed (apt-get install prometheus)");
    Path rules =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .toAbsolutePath()
            .getParent()
            .resolve("dist/prometheus/redis-ops.rules.yml");
    Path out = tmp.resolve("promtool.out");
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "rules", rules.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool ended").isTrue();
    } finally {
      p.destroyForcibly();
    }
    String said = Files.readString(out);
    assertThat(p.exitValue()).as(said).isZero();
    assertThat(said).contains("SUCCESS: 6 rules found");
  }
}
