package io.redisops.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs deliberately failing test classes and checks that the extensions stop their servers and
 * print log tails.
 */
class ExtensionFailureIT {

  /**
   * Set only while this class runs the failing classes, so they never fail a real build on their
   * own.
   */
  static volatile boolean runningFailingClasses;

  static volatile long pid;

  @Test
  void aStaticExtensionPrintsTheLogTailAndStopsTheServerWhenATestFails() {
    String stderr = runCapturingStderr(FailsWithStaticServer.class, 1);

    assertThat(stderr)
        .contains("last 40 lines of redis-server 127.0.0.1:", "Ready to accept connections");
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void anInstanceExtensionStartsPerTestAndStopsAlsoWhenTheTestFails() {
    String stderr = runCapturingStderr(FailsWithPerTestServer.class, 1);

    assertThat(stderr).contains("Ready to accept connections");
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  private static String runCapturingStderr(Class<?> testClass, int expectedFailures) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    runningFailingClasses = true;
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      Events tests =
          EngineTestKit.engine("junit-jupiter")
              .selectors(selectClass(testClass))
              .execute()
              .testEvents();
      tests.assertStatistics(stats -> stats.started(1).failed(expectedFailures));
    } finally {
      System.setErr(original);
      runningFailingClasses = false;
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  static class FailsWithStaticServer {
    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.builder().build();

    @Test
    void fails() {
      Assumptions.assumeTrue(runningFailingClasses);
      pid = redis.pid();
      throw new AssertionError("deliberate failure");
    }
  }

  static class FailsWithPerTestServer {
    @RegisterExtension final RedisServerExtension redis = RedisServerExtension.builder().build();

    @Test
    void fails() {
      Assumptions.assumeTrue(runningFailingClasses);
      pid = redis.pid();
      redis.sync().set("k", "v");
      throw new IllegalStateException("deliberate failure");
    }
  }
}
