package io.redisops.testkit;

import java.io.PrintStream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The JUnit 5 lifecycle shared by the testkit's extensions.
 *
 * <p>Registered on a static field, the resource starts before all tests of the class (and its
 * {@code @Nested} classes) and stops after them; on an instance field it starts before and stops
 * after each test. The stop callbacks run whether or not the tests failed. When a test or a
 * lifecycle method fails, the extension prints its diagnostics (log tails) to {@code System.err}
 * and rethrows the failure unchanged.
 */
abstract class LifecycleExtension
    implements BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        TestExecutionExceptionHandler,
        LifecycleMethodExecutionExceptionHandler {

  /** Log lines printed per process when a test fails. */
  static final int FAILURE_TAIL_LINES = 40;

  private int classDepth;
  private boolean startedForTest;

  /** Starts the resource; must clean up what it started if it fails. */
  abstract void startResource();

  /** Stops the resource; safe to call when it is not (fully) started. */
  abstract void stopResource();

  /** Prints what helps to understand a failure (log tails). */
  abstract void printDiagnostics(PrintStream out);

  @Override
  public final synchronized void beforeAll(ExtensionContext context) {
    // counted, so @Nested classes (which call beforeAll again) share the outer class's resource
    if (classDepth++ == 0) {
      startResource();
    }
  }

  @Override
  public final synchronized void afterAll(ExtensionContext context) {
    if (classDepth > 0 && --classDepth == 0) {
      stopResource();
    }
  }

  @Override
  public final synchronized void beforeEach(ExtensionContext context) {
    if (classDepth == 0 && !startedForTest) {
      startedForTest = true; // set first: afterEach must stop a half-started resource too
      startResource();
    }
  }

  @Override
  public final synchronized void afterEach(ExtensionContext context) {
    if (startedForTest) {
      startedForTest = false;
      stopResource();
    }
  }

  @Override
  public final void handleTestExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    report(context, throwable);
  }

  @Override
  public final void handleBeforeAllMethodExecutionException(
      ExtensionContext context, Throwable throwable) throws Throwable {
    report(context, throwable);
  }

  @Override
  public final void handleBeforeEachMethodExecutionException(
      ExtensionContext context, Throwable throwable) throws Throwable {
    report(context, throwable);
  }

  @Override
  public final void handleAfterEachMethodExecutionException(
      ExtensionContext context, Throwable throwable) throws Throwable {
    report(context, throwable);
  }

  @Override
  public final void handleAfterAllMethodExecutionException(
      ExtensionContext context, Throwable throwable) throws Throwable {
    report(context, throwable);
  }

  private void report(ExtensionContext context, Throwable throwable) throws Throwable {
    PrintStream err = System.err;
    err.println(
        "=== " + context.getDisplayName() + " failed (" + throwable + "); diagnostics follow ===");
    try {
      printDiagnostics(err);
    } catch (RuntimeException e) {
      err.println("(unable to print diagnostics: " + e + ")");
    }
    err.flush();
    throw throwable;
  }

  /** Prints the log tail of one process under a header naming it. */
  static void printTail(PrintStream out, RedisProcess process) {
    out.println(
        "--- last "
            + FAILURE_TAIL_LINES
            + " lines of "
            + process
            + " log "
            + process.logFile()
            + " ---");
    out.println(process.logTail(FAILURE_TAIL_LINES));
  }
}
