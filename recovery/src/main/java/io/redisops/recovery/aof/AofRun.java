package io.redisops.recovery.aof;

import io.redisops.recovery.kernel.ProcessControl;
import java.nio.file.Path;

/**
 * What the steps of one AOF plan share while it runs: where the AOF is, the checker, the Redis
 * process (null when it was not running: nothing to stop or start) and the quarantine; and what the
 * steps found on the way (the check after, the new PID, the keys), for the outcome. Everything a
 * resumed run needs is in {@link AofState}.
 */
public final class AofRun {
  final AofChecker checker;
  final AofLocation location;
  final ProcessControl control;
  final Path quarantine;
  AofReport after;
  long startedPid = -1;
  long keysAfter = -1;

  AofRun(AofChecker checker, AofLocation location, ProcessControl control, Path quarantine) {
    this.checker = checker;
    this.location = location;
    this.control = control;
    this.quarantine = quarantine;
  }

  /** The quarantined copy of {@code file} (it holds the AOF folder, or the single file). */
  Path copyOf(AofFile file) {
    return quarantine.resolve(
        location.multiPart()
            ? location.aofDir().getFileName().resolve(file.name())
            : Path.of(file.name()));
  }
}
