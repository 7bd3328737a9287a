package io.redisops.backup.service;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Lets another thread abandon a running backup (the daemon's bounded graceful stop): {@link
 * #abort()} closes the Redis connection (ending a wait for BGSAVE) and the snapshot being read; the
 * step fails and the repository drops the half-written object, so nothing partial is ever listed.
 */
public final class AbortHandle {
  private final java.util.Deque<Closeable> current =
      new java.util.concurrent.ConcurrentLinkedDeque<>();
  private final AtomicBoolean aborted = new AtomicBoolean();

  /** Called by the service for what a capture holds open; closes it at once if already aborted. */
  void attach(Closeable resource) {
    current.push(resource);
    if (aborted.get()) {
      closeQuietly(resource);
    }
  }

  /**
   * Forgets {@code resource}: by identity, never {@code equals}. What is attached is often a
   * record, whose first {@code equals} in a process builds its method handles at run time (about 18
   * ms of a one-off backup's end, docs/benchmarks.md "Start-up"); and two equal records are still
   * two resources.
   */
  void detach(Closeable resource) {
    current.removeIf(c -> c == resource);
  }

  public boolean aborted() {
    return aborted.get();
  }

  /** Abandons the running capture, if any, and any capture started after this call. */
  public void abort() {
    aborted.set(true);
    Closeable c;
    while ((c = current.poll()) != null) {
      closeQuietly(c);
    }
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException | RuntimeException ignored) {
      // the reader sees the closed stream and fails; that is the point
    }
  }
}
