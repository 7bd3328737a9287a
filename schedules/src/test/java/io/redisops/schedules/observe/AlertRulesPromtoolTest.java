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
 * rules, and {@code promtool test rules} shows the drill alerts firing on made-up series: a failed
 * newest drill at once, no passing drill after 2 days (and a never-passed dataset only once the
 * daemon has run 2 days), nothing before; and the archive alerts: a stream stopped for 2 minutes, a
 * lag over 60 s (or nothing ever sealed) while streaming, an off-site lag over 60 s, a new gap.
 */
class AlertRulesPromtoolTest {
  @TempDir Path tmp;

  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  private static Path rules() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
        .toAbsolutePath()
        .getParent()
        .resolve("dist/prometheus/redis-ops.rules.yml");
  }

  /** Runs promtool; returns what it said after asserting that it exited 0. */
  private String promtool(String... args) throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(PROMTOOL), "promtool is not installed (apt-get install prometheus)");
    Path out = tmp.resolve("promtool.out");
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(PROMTOOL.toString()));
    cmd.addAll(java.util.List.of(args));
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool ended").isTrue();
    } finally {
      p.destroyForcibly();
    }
    String said = Files.readString(out);
    assertThat(p.exitValue()).as(said).isZero();
    return said;
  }

  @Test
  void promtoolAcceptsTheRules() throws Exception {
    assertThat(promtool("check", "rules", rules().toString())).contains("SUCCESS: 13 rules found");
  }

  @Test
  void theDrillAlertsFireAfterAFailedDrillAndAfterTwoDaysWithoutAPassingOne() throws Exception {
    assertThat(promtoolTest("drill-alerts.test.yml")).contains("SUCCESS");
  }

  @Test
  void theSentinelCheckAlertFiresAfterFiveMinutesAtFail() throws Exception {
    assertThat(promtoolTest("sentinel-alerts.test.yml")).contains("SUCCESS");
  }

  @Test
  void theArchiveAlertsFireOnAStoppedStreamALagAnOffsiteLagAndANewGap() throws Exception {
    assertThat(promtoolTest("archive-alerts.test.yml")).contains("SUCCESS");
  }

  /** {@code promtool test rules} of a test file in the resources' promtool folder. */
  private String promtoolTest(String name) throws Exception {
    String test;
    try (java.io.InputStream in =
        AlertRulesPromtoolTest.class.getResourceAsStream("/promtool/" + name)) {
      test =
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
              .replace("@RULES@", rules().toString());
    }
    Path file = Files.writeString(tmp.resolve(name), test);
    return promtool("test", "rules", file.toString());
  }
}
