package io.redisops.backup.archive;

import io.redisops.backup.codec.Compression;
import io.redisops.backup.fixtures.ArchiveFixture;
import io.redisops.backup.fixtures.ArchiveFixture.Cmd;
import io.redisops.storage.LocalRepository;
import io.redisops.storage.StoredObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * Not a test: the figures of docs/benchmarks.md "Compaction of the archive". Seals an archive as
 * the archiver does with the default 1 s segments ({@code minutes} of writing at {@code rate}
 * {@code SET}s per second, 32-byte random values) into a local repository, then compacts it as the
 * daemon does and prints object counts, stored bytes and times before and after. Run with the
 * backup module's test classpath: {@code java -cp ... io.redisops.backup.archive.CompactionFigures
 * [minutes] [rate]}.
 */
public final class CompactionFigures {
  private CompactionFigures() {}

  public static void main(String[] args) throws Exception {
    int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 70;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    Path dir = Files.createTempDirectory("compaction-figures");
    LocalRepository repo = new LocalRepository(dir.resolve("repo"));
    ArchiveStore store = new ArchiveStore(repo, Compression.ZSTD);
    Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
    ArchiveFixture f = ArchiveFixture.start(store, "ds", "a".repeat(40), 0, t0, null);
    Random random = new Random(16);
    long began = System.nanoTime();
    for (int s = 0; s < minutes * 60; s++) {
      Instant at = t0.plusSeconds(s);
      Cmd[] cmds = new Cmd[rate];
      for (int i = 0; i < rate; i++) {
        byte[] v = new byte[16];
        random.nextBytes(v);
        cmds[i] =
            new Cmd(
                at.plusMillis(i * 1000L / rate),
                "SET",
                "k:" + random.nextInt(100_000),
                io.redisops.text.Hex.of(v));
      }
      f.seal(at.plusSeconds(1), cmds);
    }
    double sealSeconds = (System.nanoTime() - began) / 1e9;
    print("sealed", repo, store, sealSeconds);
    Instant now = t0.plus(Duration.ofMinutes(minutes)).plusSeconds(5);
    began = System.nanoTime();
    ArchiveCompactor.Result r =
        new ArchiveCompactor(store).compact("ds", now, Duration.ofMinutes(1));
    double compactSeconds = (System.nanoTime() - began) / 1e9;
    System.out.printf(
        "compaction at +%d min: %d merged segment(s) from %d, %.1f s%n",
        minutes, r.merged().size(), r.partsRemoved(), compactSeconds);
    print("compacted", repo, store, compactSeconds);
  }

  private static void print(String what, LocalRepository repo, ArchiveStore store, double took)
      throws Exception {
    List<StoredObject> objects = repo.list(ArchiveStore.ROOT + "/");
    long bytes = objects.stream().mapToLong(StoredObject::size).sum();
    long began = System.nanoTime();
    int records = store.records("ds").size();
    double read = (System.nanoTime() - began) / 1e9;
    System.out.printf(
        "%s: %d objects, %d segments, %.1f MiB stored; reading every record %.2f s (step %.1f s)%n",
        what, objects.size(), records, bytes / 1048576.0, read, took);
  }
}
