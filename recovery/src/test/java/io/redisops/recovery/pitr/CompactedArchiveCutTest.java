package io.redisops.recovery.pitr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.backup.archive.ArchiveCompactor;
import io.redisops.backup.archive.ArchiveStore;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.fixtures.ArchiveFixture;
import io.redisops.backup.fixtures.ArchiveFixture.Cmd;
import io.redisops.backup.fixtures.TestManifests;
import io.redisops.storage.ForwardingRepository;
import io.redisops.storage.LocalRepository;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore to an instant reads a compacted archive exactly as it read the sealed segments: for
 * every second of the archive and every base, {@link ArchiveSelection} covers the same instants and
 * {@link StreamCut} writes the same bytes and stops at the same command, before the compaction,
 * with a compaction killed between the merged record and the removal of its parts, and after.
 */
class CompactedArchiveCutTest {
  private static final String DATASET = "ds";
  private static final String REPLID = PitrFixtures.REPLID;
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @TempDir Path dir;

  private boolean failDeletes;

  /** One instant's outcome: what was chosen, the cut's bytes and its result. */
  private record Outcome(String base, String notCovered, String aof, String result) {}

  @Test
  void theCutIsTheSameBeforeDuringAndAfterACompaction() throws Exception {
    ArchiveStore store =
        new ArchiveStore(
            new ForwardingRepository(new LocalRepository(dir.resolve("repo"))) {
              @Override
              public void delete(String key) throws IOException {
                if (failDeletes) {
                  throw new IOException("killed before deleting " + key);
                }
                super.delete(key);
              }
            },
            Compression.ZSTD);
    ArchiveFixture f = ArchiveFixture.start(store, DATASET, REPLID, 5000, T0, "b0");
    List<Manifest> bases = new ArrayList<>();
    bases.add(base("b0", T0, 5000, 0));
    // 10:00:01 to 10:00:40, a segment per 2 s, a MULTI/EXEC across two segments, a SELECT;
    // then 10:11:00 to 10:11:10 (the next span), then the last segment at 10:21
    int n = 0;
    for (int s = 1; s <= 40; s += 2) {
      Instant a = T0.plusSeconds(s);
      if (s == 11) {
        f.seal(
            a.plusMillis(1900),
            new Cmd(a, "SET", "k" + n, "v"),
            new Cmd(a, "MULTI"),
            new Cmd(a.plusSeconds(1), "INCR", "tx"));
        a = T0.plusSeconds(s += 2);
        f.seal(
            a.plusMillis(1900),
            new Cmd(a, "INCR", "tx"),
            new Cmd(a, "EXEC"),
            new Cmd(a, "SELECT", "3"));
        continue;
      }
      if (s == 21) {
        bases.add(base("b21", a, f.offset(), 3)); // inside what becomes one merged segment
      }
      f.seal(
          a.plusMillis(1900),
          new Cmd(a, "SET", "k" + n++, "v"),
          new Cmd(a, "PING"),
          new Cmd(a.plusSeconds(1), "SET", "k" + n++, "w"));
      if (s == 29) {
        bases.add(base("b29", a.plusSeconds(1), f.offset(), 3));
      }
    }
    for (int s = 0; s <= 10; s += 2) {
      Instant a = T0.plus(Duration.ofMinutes(11)).plusSeconds(s);
      f.seal(a.plusMillis(900), new Cmd(a, "SET", "late" + s, "v"));
    }
    Instant lastAt = T0.plus(Duration.ofMinutes(21));
    f.seal(lastAt.plusMillis(900), new Cmd(lastAt, "SET", "last", "v"));

    List<Instant> instants = new ArrayList<>();
    for (int s = 0; s <= 45; s++) {
      instants.add(T0.plusSeconds(s));
    }
    instants.add(T0.plusSeconds(20).plusMillis(500));
    for (int s = 0; s <= 12; s++) {
      instants.add(T0.plus(Duration.ofMinutes(11)).plusSeconds(s));
    }
    instants.add(lastAt);

    List<Outcome> before = outcomes(store, bases, instants);
    assertThat(before.stream().filter(o -> o.base() != null).count())
        .as("most instants are covered")
        .isGreaterThan(50);

    // killed between the merged records and the removal of their parts
    Instant now = T0.plus(Duration.ofMinutes(25));
    failDeletes = true;
    assertThatThrownBy(() -> new ArchiveCompactor(store).compact(DATASET, now, Duration.ZERO))
        .isInstanceOf(IOException.class);
    failDeletes = false;
    assertThat(store.records(DATASET).get(0).parts()).isEqualTo(20);
    same(outcomes(store, bases, instants), before, instants);

    // finished
    ArchiveCompactor.Result r = new ArchiveCompactor(store).compact(DATASET, now, Duration.ZERO);
    assertThat(r.merged()).hasSize(1); // the 10:10 span (the first was merged before the kill)
    assertThat(store.records(DATASET)).hasSize(3);
    same(outcomes(store, bases, instants), before, instants);
  }

  private static void same(List<Outcome> now, List<Outcome> before, List<Instant> instants) {
    assertThat(now).hasSameSizeAs(before);
    for (int i = 0; i < now.size(); i++) {
      assertThat(now.get(i)).as("restore to %s", instants.get(i)).isEqualTo(before.get(i));
    }
  }

  private static List<Outcome> outcomes(
      ArchiveStore store, List<Manifest> bases, List<Instant> instants) throws IOException {
    List<Outcome> out = new ArrayList<>();
    for (Instant at : instants) {
      ArchiveSelection.Choice c = ArchiveSelection.choose(bases, store.segments(DATASET), at);
      if (!c.covered()) {
        out.add(new Outcome(null, c.notCovered(), null, null));
        continue;
      }
      ByteArrayOutputStream aof = new ByteArrayOutputStream();
      StreamCut.Result r =
          StreamCut.cut(c.segments(), store::open, c.base().stream(), CutRule.lastSecond(at), aof);
      out.add(
          new Outcome(
              c.base().id(),
              null,
              aof.toString(java.nio.charset.StandardCharsets.ISO_8859_1),
              // the segment ids and counts differ by design, and whether the reading stopped at
              // the chain's end or at a later second (a merged segment reads further); what is
              // applied must not
              r.commands()
                  + " "
                  + r.lastCommand()
                  + " "
                  + r.lastCommandSecond()
                  + " "
                  + r.cutOffset()
                  + " "
                  + r.db()
                  + " "
                  + r.dropped()));
    }
    return out;
  }

  private static Manifest base(String id, Instant at, long offset, int db) {
    return TestManifests.builder(DATASET, id).snapshotTime(at).tiers(Tier.HOURLY).stream(
            new Manifest.StreamPosition(REPLID, offset, db))
        .build();
  }
}
