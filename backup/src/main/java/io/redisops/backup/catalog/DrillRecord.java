package io.redisops.backup.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.SortedMap;

/**
 * The outcome of the newest restore drill of one backup: the backup loaded into a scratch server
 * and its key counts held against the manifest. Stored as {@code drill.json} beside the manifest
 * ({@link DrillLog}), never inside it, so the manifest and its checksums stay as they were written.
 * Scripts and {@code redis-ops info} read it: fields are only ever added.
 *
 * @param formatVersion {@link #FORMAT_VERSION}
 * @param backupId the backup drilled
 * @param dataset its dataset
 * @param from {@code local} or {@code offsite}: the repository the backup was read from (and where
 *     this record lies)
 * @param startedAt when the drill began
 * @param finishedAt when it ended
 * @param result {@link #PASS} or {@link #FAIL}
 * @param reason why it failed (null when it passed)
 * @param loadSeconds how long the scratch server took to start and load the RDB (null when it never
 *     loaded)
 * @param expectedKeys key counts per database as the manifest records them (null when unknown)
 * @param loadedKeys key counts per database the scratch server reported after loading (null when it
 *     never loaded)
 * @param totalKeys the sum of {@code loadedKeys} (null when it never loaded)
 * @param server the scratch server: engine, version and executable, e.g. {@code Redis 7.0.15
 *     (/usr/bin/redis-server)} (null when none could be started)
 * @param toolVersion the redis-ops version that ran the drill
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "format_version",
  "backup_id",
  "dataset",
  "from",
  "started_at",
  "finished_at",
  "result",
  "reason",
  "load_seconds",
  "expected_keys",
  "loaded_keys",
  "total_keys",
  "server",
  "tool_version"
})
public record DrillRecord(
    int formatVersion,
    String backupId,
    String dataset,
    String from,
    Instant startedAt,
    Instant finishedAt,
    String result,
    String reason,
    Double loadSeconds,
    SortedMap<Integer, Long> expectedKeys,
    SortedMap<Integer, Long> loadedKeys,
    Long totalKeys,
    String server,
    String toolVersion) {

  public static final int FORMAT_VERSION = 1;
  public static final String FILE_NAME = "drill.json";
  public static final String PASS = "pass";
  public static final String FAIL = "fail";
  public static final String FROM_LOCAL = "local";
  public static final String FROM_OFFSITE = "offsite";

  /** True when the backup loaded and its key counts matched the manifest. */
  public boolean passed() {
    return PASS.equals(result);
  }
}
