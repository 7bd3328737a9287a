package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code sentinel status|check --sentinel ...} without {@code --master} when no sentinel answers:
 * exit 1 naming the unreachable sentinels (as documented), not exit 2 "answered with no monitored
 * master", which sends the operator looking for a configuration mistake.
 */
class SentinelUnreachableCliIT {

  @ParameterizedTest
  @ValueSource(strings = {"status", "check"})
  void noSentinelAnsweringExits1Unreachable(String command) {
    int a = RedisOpsProcess.freePort();
    int b = RedisOpsProcess.freePort();
    String sentinels = "127.0.0.1:" + a + ",127.0.0.1:" + b;
    RedisOpsProcess.Result r = RedisOpsProcess.run("sentinel", command, "--sentinel", sentinels);

    assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
    assertThat(r.stderrLines()).as(r.describe()).hasSize(1);
    assertThat(r.stderr())
        .contains("no sentinel answered")
        .contains("127.0.0.1:" + a)
        .contains("127.0.0.1:" + b)
        .contains("unreachable")
        .doesNotContain("no monitored master")
        .doesNotContain("Exception");
  }
}
