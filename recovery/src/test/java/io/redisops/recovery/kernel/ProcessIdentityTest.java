package io.redisops.recovery.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Whether a {@code process_id} a Redis reported is that Redis here: a server in a container reports
 * its own numbering (often 1), which on this host is another program.
 */
class ProcessIdentityTest {
  private static final long SELF = ProcessHandle.current().pid();

  @Test
  void aProcessThatIsNeitherNamedRedisNorRunsItsExecutableIsNotTheServer() {
    // this JVM (named java) for a server whose executable is redis-server
    assertThat(ProcessControl.whyNotTheServer(SELF, "/usr/bin/redis-server"))
        .isEqualTo("process " + SELF + " here is java, not a Redis server");
    assertThat(ProcessControl.whyNotTheServer(SELF, null)).contains("not a Redis server");
  }

  @Test
  void aProcessRunningTheServersExecutableIsTheServer() {
    String java = ProcessHandle.current().info().command().orElseThrow();
    assertThat(ProcessControl.whyNotTheServer(SELF, java)).isNull();
  }

  @Test
  void noSuchProcess() {
    assertThat(ProcessControl.whyNotTheServer(-1, null)).isEqualTo("no process -1 runs here");
    assertThat(ProcessControl.whyNotTheServer(Integer.MAX_VALUE, null))
        .isEqualTo("no process " + Integer.MAX_VALUE + " runs here");
  }
}
