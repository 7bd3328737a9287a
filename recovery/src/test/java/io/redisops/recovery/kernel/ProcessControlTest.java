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
 * not yet reaped by its parent) does not, nor one whose every thread is exiting.
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

  @Test
  void aThreadThatEntersItsExitHasExited() throws Exception {
    // flags 0x400004: PF_EXITING (0x4) among others; 0x400140: a thread that runs on
    assertThat(ProcessControl.exited(stat("4242 (redis-server) R 1 4242 4242 0 -1 4194308 12")))
        .isTrue();
    assertThat(ProcessControl.exited(stat("4242 (redis-server) D 1 4242 4242 0 -1 4194624 12")))
        .isFalse();
  }

  @Test
  void aProcessHasExitedOnlyWhenEveryThreadHas() throws Exception {
    // what /proc showed 3 ms after SHUTDOWN NOSAVE of a 1.5 GB Redis: its main thread a zombie,
    // one thread still releasing the memory, the rest gone
    Path proc = tmp.resolve("proc").resolve("4242");
    thread(proc, 4242, "Z 1 4242 4242 0 -1 4194316 0");
    thread(proc, 4246, "R 1 4242 4242 0 -1 4194372 0");
    assertThat(ProcessControl.allExited(proc)).isTrue();

    // a thread that still runs (sleeping in a system call, not exiting) keeps it alive
    thread(proc, 4243, "S 1 4242 4242 0 -1 1077936192 0");
    assertThat(ProcessControl.allExited(proc)).isFalse();

    // gone altogether (its /proc entry removed; /proc itself there)
    assertThat(ProcessControl.allExited(tmp.resolve("proc").resolve("4343"))).isTrue();
  }

  private static void thread(Path proc, long tid, String afterName) throws Exception {
    Path dir = proc.resolve("task").resolve(Long.toString(tid));
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("stat"),
        tid + " (redis-server) " + afterName + "\n",
        StandardCharsets.US_ASCII);
  }

  private Path stat(String content) throws Exception {
    Path dir = Files.createTempDirectory(tmp, "proc");
    Path f = dir.resolve("stat");
    Files.writeString(f, content + "\n", StandardCharsets.US_ASCII);
    return f;
  }
}
