package io.redisops.recovery.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whether a process still runs, as the stop's wait and the start's watch see it: a zombie (exited,
 * not yet reaped by its parent) does not.
 */
class ProcessControlTest {
  @TempDir Path tmp;

  @Test
  void aZombieHasExitedThoughProcessHandleCallsItAlive() throws Exception {
    // sh starts a short sleep in the background, then becomes a long sleep that never reaps it
    Process parent = new ProcessBuilder("sh", "-c", "sleep 0.1 & exec sleep 30").start();
    try {
      ProcessHandle child =
          Await.value(
              Duration.ofSeconds(10),
              "the background sleep to be listed",
              () -> parent.toHandle().children().findFirst().orElse(null));
      Path stat = Path.of("/proc", Long.toString(child.pid()), "stat");
      Await.until(
          Duration.ofSeconds(10),
          "the background sleep to be a zombie",
          () -> ProcessControl.exited(stat));

      assertThat(child.isAlive()).isTrue(); // what the JDK says of a zombie
      assertThat(ProcessControl.alive(child.pid())).isFalse();
      assertThat(ProcessControl.alive(parent.pid())).isTrue();
    } finally {
      parent.destroyForcibly();
      parent.waitFor();
    }
    assertThat(ProcessControl.alive(parent.pid())).isFalse();
  }

  @Test
  void theStateIsReadAfterTheLastParenthesisOfTheCommandName() throws Exception {
    assertThat(ProcessControl.exited(stat("4242 (redis-server *:7000) Z 1 4242 4242 0"))).isTrue();
    assertThat(ProcessControl.exited(stat("4242 (odd) Z name) S 1 4242 4242 0"))).isFalse();
    assertThat(ProcessControl.exited(stat("4242 (redis-server) X 1 4242"))).isTrue();
    assertThat(ProcessControl.exited(stat("4242 (redis-server) R 1 4242"))).isFalse();
    assertThat(ProcessControl.exited(stat("garbage"))).isFalse();
  }

  private Path stat(String content) throws Exception {
    Path dir = Files.createTempDirectory(tmp, "proc");
    Path f = dir.resolve("stat");
    Files.writeString(f, content + "\n", StandardCharsets.US_ASCII);
    return f;
  }
}
