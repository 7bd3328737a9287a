package io.redisops.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
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
 *
 * <p>With {@code --data} (the run of {@code redis-ops-data.jsa}, the archive the launcher gives the
 * commands that load the AWS SDK or Lettuce) it first loads, without initialising them, the classes
 * of {@link #CLASS_LIST}: those the commands that move data loaded in real runs (backup by BGSAVE
 * and by replication, restore, push and fetch, verify, the daemon: Lettuce, Netty, Reactor,
 * zstd-jni, the AWS SDK, ours), recorded by {@code bench/cds-classes.sh} against a throwaway
 * server, since this run must never reach a Redis or S3 server. Names that no longer resolve (a
 * dependency upgraded) are skipped: the archive then lacks them and those commands load them from
 * the jar, as without an archive.
 *
 * <p>With {@code --core} (the run of {@code redis-ops.jsa}, the archive of every other command) it
 * loads the same list without the libraries of S3 and Sentinel ({@link #DATA_ONLY}: the AWS SDK,
 * its HTTP client, Lettuce, Netty, Reactor): backup, restore, verify and the daemon then find their
 * own classes, zstd-jni's and the JDK's in the archive too, for an archive of about 23 MB instead
 * of 14 MB (the data one is 54 MB).
 */
public final class CdsTraining {
  static final String DATASET = "cds-training";
  static final String BACKUP = "20260101T000000Z";

  /**
   * The recorded class list: one binary name a line; blank lines and {@code #} comments skipped.
   */
  static final String CLASS_LIST = "cds-classes.txt";

  /**
   * The packages of {@link #CLASS_LIST} that {@code --core} leaves out: only push, fetch, sentinel
   * and the off-site commands load them, and they take the data archive.
   */
  static final List<String> DATA_ONLY =
      List.of(
          "software.amazon.",
          "org.apache.hc.",
          "io.lettuce.",
          "io.netty.",
          "reactor.",
          "org.reactivestreams.",
          "jdk.jfr.");

  private CdsTraining() {}

  public static void main(String[] args) throws IOException {
    if (List.of(args).contains("--data")) {
      preload(CdsTraining.class.getClassLoader(), classList());
    } else if (List.of(args).contains("--core")) {
      preload(CdsTraining.class.getClassLoader(), coreClassList());
    }
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

  /**
   * Loads these classes through {@code loader} without initialising them (no static initialiser
   * runs: none opens a connection or starts a thread here); the number loaded.
   */
  static int preload(ClassLoader loader, List<String> names) {
    int loaded = 0;
    for (String name : names) {
      try {
        Class.forName(name, false, loader);
        loaded++;
      } catch (ClassNotFoundException | LinkageError e) {
        // gone or changed with a dependency upgrade: the archive does without it
      }
    }
    return loaded;
  }

  /** The names of {@link #CLASS_LIST} outside {@link #DATA_ONLY}, in their order. */
  static List<String> coreClassList() {
    return classList().stream().filter(n -> DATA_ONLY.stream().noneMatch(n::startsWith)).toList();
  }

  /** The names of {@link #CLASS_LIST}, in its order; none when the resource is missing. */
  static List<String> classList() {
    List<String> names = new ArrayList<>();
    try (InputStream in = CdsTraining.class.getResourceAsStream(CLASS_LIST)) {
      if (in == null) {
        return names;
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String name = line.strip();
        if (!name.isEmpty() && !name.startsWith("#")) {
          names.add(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
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
