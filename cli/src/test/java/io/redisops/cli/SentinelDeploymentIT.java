package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.testkit.RedisGroup;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code sentinel check} on deployments the reference notes warn about: too few sentinels to
 * authorise a failover.
 */
class SentinelDeploymentIT {

  private static RedisOpsProcess.Result check(RedisGroup g) {
    String sentinels =
        g.sentinels().stream().map(s -> s.host() + ":" + s.port()).collect(Collectors.joining(","));
    return RedisOpsProcess.run("sentinel", "--sentinel", sentinels, "check");
  }

  @Test
  void twoSentinelsFailBecauseNoMajorityIsLeftWhenAHostDies() {
    try (RedisGroup g =
        RedisGroup.builder().replicas(1).sentinels(2).quorum(1).config("save", "3600 1").start()) {
      RedisOpsProcess.Result r = check(g);
      assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
      assertThat(r.stdout())
          .as(r.describe())
          .containsPattern(
              "FAIL\\s+sentinel-count\\s+only 2 sentinels: a failover needs a majority \\(2\\)")
          .contains("can never authorise a failover");
    }
  }

  @Test
  void oneSentinelWithQuorumOneFails() {
    try (RedisGroup g =
        RedisGroup.builder().replicas(1).sentinels(1).quorum(1).config("save", "3600 1").start()) {
      RedisOpsProcess.Result r = check(g);
      assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
      assertThat(r.stdout())
          .as(r.describe())
          .containsPattern(
              "FAIL\\s+sentinel-count\\s+only 1 sentinel with quorum 1: a single point of failure")
          .containsPattern("PASS\\s+persistence");
    }
  }
}
