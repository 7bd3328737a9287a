package io.redisops.backup.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLockTest {

  @TempDir Path dir;

  @Test
  @SuppressWarnings("try") // the lock is held through the try block, never referenced in it
  void aSecondAcquireIsRefusedNamingTheDataset() {
    Path file = dir.resolve("cache/.lock");
    try (DatasetLock first = DatasetLock.acquire(file, "cache")) {
      RedisOpsException e =
          catchThrowableOfType(RedisOpsException.class, () -> DatasetLock.acquire(file, "cache"));
      assertThat(e).isNotNull();
      assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED);
      assertThat(e.getMessage())
          .contains("dataset 'cache'")
          .contains("pid " + ProcessHandle.current().pid());
    }
  }

  @Test
  void theLockCanBeTakenAgainAfterClose() {
    Path file = dir.resolve(".lock");
    DatasetLock.acquire(file, "cache").close();
    try (DatasetLock again = DatasetLock.acquire(file, "cache")) {
      assertThat(again).isNotNull();
    }
  }

  @Test
  void differentLockFilesDoNotBlockEachOther() {
    try (DatasetLock a = DatasetLock.acquire(dir.resolve("a/.lock"), "a");
        DatasetLock b = DatasetLock.acquire(dir.resolve("b/.lock"), "b")) {
      assertThat(a).isNotSameAs(b);
    }
  }

  @Test
  @SuppressWarnings("try") // the lock is held through the try block, never referenced in it
  void theLockFileIs0600AndHoldsThePid() throws IOException {
    Path file = dir.resolve("new/.lock");
    try (DatasetLock lock = DatasetLock.acquire(file, "cache")) {
      assertThat(Files.getPosixFilePermissions(file))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.getPosixFilePermissions(file.getParent()))
          .isEqualTo(PosixFilePermissions.fromString("rwx------"));
      assertThat(Files.readString(file)).isEqualTo(Long.toString(ProcessHandle.current().pid()));
    }
  }

  /**
   * POSIX record locks belong to the process: closing any descriptor of the file releases them all.
   * A refused attempt in the same JVM (the daemon running two jobs) must therefore not open the
   * file, or it frees the lock for other processes while the first holder still runs. /proc/locks
   * shows the locks the kernel holds.
   */
  @Test
  @SuppressWarnings("try") // the lock is held through the try block, never referenced in it
  void aRefusedAttemptDoesNotReleaseTheHoldersLock() throws IOException {
    Path procLocks = Path.of("/proc/locks");
    assumeThat(Files.isReadable(procLocks)).as("Linux /proc/locks").isTrue();
    Path file = dir.resolve(".lock");
    try (DatasetLock first = DatasetLock.acquire(file, "cache")) {
      long inode = (Long) Files.getAttribute(file, "unix:ino");
      assertThat(kernelLocksOf(procLocks, inode)).isEqualTo(1);

      assertThat(
              catchThrowableOfType(
                  RedisOpsException.class, () -> DatasetLock.acquire(file, "cache")))
          .isNotNull();
      assertThat(
              catchThrowableOfType(
                  RedisOpsException.class,
                  () -> DatasetLock.acquire(dir.resolve("./.lock"), "cache")))
          .isNotNull();

      assertThat(kernelLocksOf(procLocks, inode))
          .as("the first holder's lock is still held by the kernel")
          .isEqualTo(1);
    }
  }

  private static long kernelLocksOf(Path procLocks, long inode) throws IOException {
    String pid = " " + ProcessHandle.current().pid() + " ";
    return Files.readAllLines(procLocks).stream()
        .filter(l -> l.contains("POSIX") && l.contains(pid) && l.contains(":" + inode + " "))
        .count();
  }
}
