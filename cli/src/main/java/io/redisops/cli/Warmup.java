package io.redisops.cli;

import io.redisops.backup.catalog.ManifestCodec;
import java.util.List;
import java.util.Set;

/**
 * Work a one-off command would do on its critical path later, started at once on a second thread:
 * while the main thread builds the command line, sets up logging and connects (one core busy, the
 * other idle), the manifest codec is built (Jackson's introspection: 0.1-0.3 s of a fresh JVM). A
 * {@code backup} then writes its manifest and runs its retention pass without it at its end, a
 * {@code list} or {@code restore} reads manifests without it at its start (docs/benchmarks.md,
 * "Start-up"). A daemon thread: it never holds the process up, and what it builds is only a cache.
 */
final class Warmup {
  /** The commands that read or write manifests. */
  private static final Set<String> MANIFEST_COMMANDS =
      Set.of(
          "backup", "list", "show", "drill", "verify", "prune", "restore", "push", "fetch",
          "delete", "import", "info");

  private static final Set<String> NO_RUN = Set.of("-h", "--help", "-V", "--version", "help");

  private Warmup() {}

  /**
   * Starts the warm-up when these arguments run a command that reads or writes manifests; whether
   * it did.
   */
  static boolean startFor(String... args) {
    List<String> tokens = List.of(args);
    if (tokens.stream().noneMatch(MANIFEST_COMMANDS::contains)
        || tokens.stream().anyMatch(NO_RUN::contains)) {
      return false;
    }
    Thread t = new Thread(ManifestCodec::warmUp, "manifest-codec-warmup");
    t.setDaemon(true);
    t.start();
    return true;
  }
}
