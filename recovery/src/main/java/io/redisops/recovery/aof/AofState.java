package io.redisops.recovery.aof;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.recovery.kernel.ProcessControl;
import io.redisops.recovery.kernel.Quarantine;
import io.redisops.recovery.kernel.StateStore;
import io.redisops.recovery.kernel.StepState;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What an AOF repair or undo in progress has done, and everything its steps need to be made again:
 * saved before and after every step in {@code <data dir>/redis-ops-quarantine/.aof-state.json}
 * ({@link #store}), so that after a crash {@code aof repair --resume} / {@code --rollback} (and the
 * same for {@code undo-flushall}) finish or undo it.
 *
 * @param formatVersion 1
 * @param action {@code repair} or {@code undo-flushall}
 * @param startedAt when it started
 * @param toolPid the process that ran it
 * @param address host:port of the Redis
 * @param dataDir the Redis data directory (the AOF is found below it again)
 * @param server the Redis process as it ran, or null when it was not running (nothing to stop or
 *     start)
 * @param pid its PID then, or -1
 * @param keysBefore keys before (-1 when it was not running)
 * @param quarantine the quarantine folder of this run
 * @param damaged repair: the damaged last file as checked
 * @param flush undo-flushall: the flushes that end the last file
 * @param expectedSize undo-flushall: the size of the last file when planned
 * @param removedBytes bytes the plan cuts
 * @param removedCommands commands the plan cuts
 * @param removed what an undo removes
 * @param lastIntactTime time of the last command kept, when known
 * @param done names of the finished steps, in order
 * @param current the step that was running, or null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AofState(
    int formatVersion,
    String action,
    Instant startedAt,
    long toolPid,
    String address,
    String dataDir,
    ProcessControl.Server server,
    long pid,
    long keysBefore,
    String quarantine,
    AofFileReport damaged,
    CommandLog.TrailingFlush flush,
    long expectedSize,
    long removedBytes,
    long removedCommands,
    List<String> removed,
    Instant lastIntactTime,
    List<String> done,
    String current)
    implements StepState<AofState> {

  public static final int FORMAT_VERSION = 1;
  static final String FILE_NAME = ".aof-state.json";

  public AofState {
    removed = removed == null ? List.of() : List.copyOf(removed);
    done = done == null ? List.of() : List.copyOf(done);
  }

  /** The state file of the AOF tools for a data directory. */
  public static StateStore<AofState> store(Path dataDir) {
    return new StateStore<>(
        dataDir.resolve(Quarantine.FOLDER).resolve(FILE_NAME), AofState.class, "AOF");
  }

  @Override
  public AofState running(String step) {
    return new AofState(
        formatVersion,
        action,
        startedAt,
        toolPid,
        address,
        dataDir,
        server,
        pid,
        keysBefore,
        quarantine,
        damaged,
        flush,
        expectedSize,
        removedBytes,
        removedCommands,
        removed,
        lastIntactTime,
        done,
        step);
  }

  @Override
  public AofState finished(String step) {
    List<String> d = new ArrayList<>(done);
    d.add(step);
    return new AofState(
        formatVersion,
        action,
        startedAt,
        toolPid,
        address,
        dataDir,
        server,
        pid,
        keysBefore,
        quarantine,
        damaged,
        flush,
        expectedSize,
        removedBytes,
        removedCommands,
        removed,
        lastIntactTime,
        d,
        null);
  }
}
