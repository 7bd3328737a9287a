package io.redisops.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The run whose loaded classes go into the class-data-sharing archive ({@code make-cds-archive}
 * runs it with {@code -XX:ArchiveClassesAtExit}): the commands a person types most, in one JVM, on
 * a scratch repository holding one backup, so that the archive also holds what reading and printing
 * manifests needs (Jackson alone is some 650 classes). Output is discarded. Written by hand because
 * JDK 17 archives only the classes one run loaded.
 */
public final class CdsTraining {
  static final String DATASET = "cds-training";
  static final String BACKUP = "20260101T000000Z";

  private CdsTraining() {}

  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("redis-ops-cds-");
    try {
      train(dir);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** Runs the commands on a repository in {@code dir}; their exit codes, in order. */
  static List<Integer> train(Path dir) throws IOException {
    Path repo = dir.resolve("repo");
    Path backup = Files.createDirectories(repo.resolve(DATASET).resolve(BACKUP));
    Files.write(backup.resolve("dump.rdb.zst"), new byte[] {0});
    Files.writeString(backup.resolve("manifest.json"), MANIFEST, StandardCharsets.UTF_8);
    // a point-in-time archive of the dataset: list and info read its timeline and newest record
    Path timeline =
        Files.createDirectories(repo.resolve("_archive").resolve(DATASET).resolve(BACKUP));
    Files.writeString(timeline.resolve("timeline.json"), TIMELINE, StandardCharsets.UTF_8);
    Files.writeString(timeline.resolve(SEGMENT + ".json"), SEGMENT_RECORD, StandardCharsets.UTF_8);
    Files.write(timeline.resolve(SEGMENT + ".aof.zst"), new byte[] {0});
    String r = repo.toString();
    List<List<String>> commands =
        List.of(
            List.of("--version"),
            List.of("--help"),
            List.of("--repo", r, "list"),
            List.of("--repo", r, "--json", "list"),
            List.of("--repo", r, "info"),
            List.of("--repo", r, "--json", "info"),
            List.of("--repo", r, "--dataset", DATASET, "show", BACKUP),
            List.of("--repo", r, "--dataset", DATASET, "--json", "show", BACKUP));
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), true, "UTF-8");
    List<Integer> exits = new ArrayList<>();
    try {
      System.setOut(nowhere);
      System.setErr(nowhere);
      for (List<String> command : commands) {
        exits.add(Main.run(command.toArray(String[]::new)));
      }
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return exits;
  }

  static final String SEGMENT = "0000000000000000100";

  private static final String TIMELINE =
      """
      {"format_version": 1, "dataset": "%s", "timeline": "%s", "replid": "%s",
       "start_offset": 100, "start_db": 0, "started_at": "2026-01-01T00:00:00Z", "base": "%s"}
      """
          .formatted(DATASET, BACKUP, "a".repeat(40), BACKUP);

  private static final String SEGMENT_RECORD =
      """
      {"format_version": 1, "dataset": "%s", "id": "%s/%s", "timeline": "%s", "replid": "%s",
       "start_offset": 100, "end_offset": 114, "start_db": 0, "end_db": 0,
       "first_received": "2026-01-01T00:00:00Z", "last_received": "2026-01-01T00:00:00Z",
       "sealed_at": "2026-01-01T00:00:01Z", "raw_size": 14, "sha256_raw": "00",
       "object": "%s.aof.zst", "compression": "zstd", "stored_size": 1, "stored_sha256": "00"}
      """
          .formatted(DATASET, BACKUP, SEGMENT, BACKUP, "a".repeat(40), SEGMENT);

  private static final String MANIFEST =
      """
      {"format_version": 1, "id": "%s", "dataset": "%s",
       "snapshot_time": "2026-01-01T00:00:00Z", "completed_at": "2026-01-01T00:00:01Z",
       "tiers": ["hourly"], "method": "bgsave",
       "source": {"host": "127.0.0.1", "port": 1, "role": "master"},
       "rdb_version": 10, "object": "dump.rdb.zst", "raw_size": 1000, "stored_size": 1,
       "compression": "zstd", "encryption": "none", "raw_sha256": "00", "stored_sha256": "00",
       "verification": "full", "key_counts_available": true, "keys": {"0": 10},
       "total_keys": 10, "tool_version": "0.1.0"}
      """
          .formatted(BACKUP, DATASET);
}
