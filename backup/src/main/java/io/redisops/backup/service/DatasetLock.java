package io.redisops.backup.service;

import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One operation at a time per dataset (backup, prune, restore): an OS file lock, so a process
 * killed with -9 releases it at once and no stale lock file can block the next run. The file holds
 * the owner's PID for the error message.
 */
public final class DatasetLock implements AutoCloseable {
  /**
   * Lock files held by this JVM. POSIX locks belong to the process and closing any descriptor of
   * the file releases them, so a second attempt in the same JVM must be refused before the file is
   * opened at all.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path path;
  private final FileChannel channel;
  private final FileLock lock;
  private boolean closed;

  private DatasetLock(Path path, FileChannel channel, FileLock lock) {
    this.path = path;
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock or refuses at once (exit 5) naming the process that holds it. */
  public static DatasetLock acquire(Path lockFile, String dataset) {
    Path key = lockFile.toAbsolutePath().normalize();
    if (!HELD.add(key)) {
      throw refused(dataset, Long.toString(ProcessHandle.current().pid()));
    }
    boolean taken = false;
    try {
      Files.createDirectories(
          lockFile.getParent(),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      FileChannel ch =
          FileChannel.open(
              lockFile,
              EnumSet.of(
                  StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String owner = new String(Files.readAllBytes(lockFile), StandardCharsets.UTF_8).trim();
        ch.close();
        throw refused(dataset, owner);
      }
      ch.truncate(0);
      ch.write(
          ByteBuffer.wrap(
              Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)),
          0);
      taken = true;
      return new DatasetLock(key, ch, lock);
    } catch (java.nio.file.FileSystemException e) {
      // Permission denied, not a directory, read-only file system: the repository setting is wrong,
      // not the run.
      String reason =
          e.getReason() != null
              ? e.getReason()
              : e instanceof java.nio.file.AccessDeniedException
                  ? "permission denied"
                  : e.getClass().getSimpleName();
      throw new RedisOpsException(
          io.redisops.error.ExitCode.USAGE,
          "unable to use the repository folder for dataset '"
              + dataset
              + "': "
              + e.getFile()
              + ": "
              + reason
              + "; check --repo or repository.path and its owner",
          e);
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "unable to take the lock " + lockFile + ": " + e.getMessage(), e);
    } finally {
      if (!taken) {
        HELD.remove(key);
      }
    }
  }

  private static RedisOpsException refused(String dataset, String owner) {
    return new Held(
        "another redis-ops operation on dataset '"
            + dataset
            + "' is running"
            + (owner.isEmpty() ? "" : " (pid " + owner + ")")
            + "; wait for it to finish, then try again");
  }

  /**
   * The lock is held by another operation (exit 5). Its own type because for the daemon this is
   * routine, not a failure: a CLI backup running at a scheduled time means "busy, retry later".
   */
  public static final class Held extends RedisOpsException {
    private static final long serialVersionUID = 1L;

    Held(String message) {
      super(io.redisops.error.ExitCode.REFUSED, message);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      lock.release();
      channel.close();
    } catch (IOException ignored) {
      // the OS releases the lock with the descriptor anyway
    } finally {
      HELD.remove(path);
    }
  }
}
