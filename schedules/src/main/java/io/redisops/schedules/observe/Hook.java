package io.redisops.schedules.observe;

import java.io.IOException;

/** One way of delivering an event: a command or a webhook. */
interface Hook {
  /** For logs; never holds a secret (no arguments, no URL path or query). */
  String describe();

  /**
   * Delivers one event within the hook's timeout.
   *
   * @throws IOException with a one-line cause when the hook failed (non-zero exit, timeout,
   *     refused, non-2xx)
   * @throws InterruptedException when the notifier is shut down meanwhile (the hook's work is
   *     abandoned)
   */
  void deliver(byte[] json) throws IOException, InterruptedException;
}
