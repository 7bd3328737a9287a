package io.redisops.recovery.restore;

import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a restore does when it is stopped by a signal (Ctrl-C, SIGTERM): a JVM shutdown hook for the
 * duration of the steps. Before Redis was touched (the fetch) it removes the partial copy and the
 * state file, so nothing is pending; after the stop it says in which state Redis is and prints the
 * exact commands that finish or undo the restore. State saves go through {@link #save} under the
 * hook's lock, so a save cannot slip in after the hook has decided.
 */
final class InterruptGuard implements AutoCloseable {
  private final Object lock = new Object();
  private final RestorePlan plan;
  private final RestoreStateStore store;
  private final Predicate<RestoreState> touched;
  private final Function<String, String> command;
  private final PrintStream err;
  private final Thread hook;
  private RestoreState state;
  private boolean interrupted;

  InterruptGuard(
      RestorePlan plan,
      RestoreState initial,
      RestoreStateStore store,
      Predicate<RestoreState> touched,
      Function<String, String> command,
      PrintStream err) {
    this.plan = plan;
    this.state = initial;
    this.store = store;
    this.touched = touched;
    this.command = command;
    this.err = err;
    this.hook = new Thread(this::onSignal, "redis-ops-restore-interrupted");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Saves the state unless a signal already ended the restore (then the steps must not go on). */
  void save(RestoreState s) {
    synchronized (lock) {
      if (interrupted) {
        throw RedisOpsException.failed("the restore was interrupted");
      }
      store.save(s);
      state = s;
    }
  }

  /** The restore ended (done, or failed and rolled back): nothing left for the hook. */
  void finished() {
    synchronized (lock) {
      if (interrupted) {
        throw RedisOpsException.failed("the restore was interrupted");
      }
      store.delete();
      state = null;
    }
  }

  private void onSignal() {
    synchronized (lock) {
      interrupted = true;
      if (state == null) {
        return;
      }
      String at = state.current() == null ? "between steps" : "at step '" + state.current() + "'";
      if (!touched.test(state)) {
        try {
          Files.deleteIfExists(plan.run().staging());
        } catch (IOException e) {
          err.println(
              "redis-ops: unable to remove the partial copy "
                  + plan.run().staging()
                  + ": "
                  + e.getMessage());
        }
        store.delete();
        err.println(
            "redis-ops: restore of backup "
                + plan.backup().id()
                + " interrupted "
                + at
                + ", before Redis was"
                + " touched: nothing was changed and nothing is pending (the partial copy was removed); Redis at "
                + plan.target().address()
                + " kept serving its data");
      } else {
        err.println(
            "redis-ops: restore of backup "
                + plan.backup().id()
                + " interrupted "
                + at
                + ": "
                + redisState()
                + "; its original files are in "
                + plan.quarantine()
                + " (when the quarantine step ran)"
                + " and the config file copy is "
                + plan.run().configCopy()
                + "; run '"
                + command.apply("--resume")
                + "' to finish the restore, or '"
                + command.apply("--rollback")
                + "' to undo it");
      }
      err.flush();
    }
  }

  /** In words, from the steps that ran: a signal handler must not wait on a network call. */
  private String redisState() {
    if (state.done().contains("start")) {
      return "Redis at "
          + plan.target().address()
          + " runs on the restored data, the remaining steps did not run";
    }
    if ("start".equals(state.current())) {
      return "Redis at "
          + plan.target().address()
          + " was being started on the restored data (it may be loading)";
    }
    return "Redis at " + plan.target().address() + " is stopped";
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs or ran
    }
  }
}
