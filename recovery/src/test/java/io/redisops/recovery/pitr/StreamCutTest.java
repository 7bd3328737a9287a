package io.redisops.recovery.pitr;

import static io.redisops.recovery.pitr.PitrFixtures.REPLID;
import static io.redisops.recovery.pitr.PitrFixtures.T0;
import static io.redisops.recovery.pitr.PitrFixtures.cmd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.backup.catalog.Manifest;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cut of a fixed stream: what is kept, what is skipped, dropped or left after the instant. */
class StreamCutTest {
  static final long S = T0.getEpochSecond();

  final PitrFixtures.Builder line = new PitrFixtures.Builder("t1", REPLID, 1000);
  final ByteArrayOutputStream out = new ByteArrayOutputStream();

  StreamCut.Result cut(long baseOffset, int baseDb, long lastSecond) throws IOException {
    return StreamCut.cut(
        line.segments(),
        line::open,
        new Manifest.StreamPosition(REPLID, baseOffset, baseDb),
        lastSecond,
        out);
  }

  String text() {
    return out.toString(StandardCharsets.UTF_8);
  }

  static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void keepsTheCommandsUpToTheLastIncludedSecondAndTheirAnnotations() throws IOException {
    line.ts(S).cmd(T0, "SET", "k1", "v1").cmd(T0, "SET", "k2", "v2");
    line.ts(S + 1).cmd(T0.plusSeconds(1), "SET", "k3", "v3");
    long afterK3 = line.offset();
    line.ts(S + 2).cmd(T0.plusSeconds(2), "FLUSHALL").seal("s1", T0.plusSeconds(3));
    StreamCut.Result r = cut(1000, 0, S + 1);
    assertThat(text())
        .isEqualTo(
            s(StreamCut.select(0))
                + "#TS:"
                + S
                + "\r\n"
                + s(cmd("SET", "k1", "v1"))
                + s(cmd("SET", "k2", "v2"))
                + "#TS:"
                + (S + 1)
                + "\r\n"
                + s(cmd("SET", "k3", "v3")));
    assertThat(r.commands()).isEqualTo(3);
    assertThat(r.lastCommand()).isEqualTo("SET k3");
    assertThat(r.lastCommandSecond()).isEqualTo(S + 1);
    assertThat(r.cutOffset()).isEqualTo(afterK3);
    assertThat(r.endedByTime()).isTrue();
  }

  @Test
  void skipsTheStreamBeforeTheBaseAndSelectsItsDatabase() throws IOException {
    line.startDb(0).ts(S).cmd(T0, "SELECT", "3").cmd(T0, "SET", "old", "x");
    long base = line.offset();
    line.cmd(T0, "SET", "new", "y").seal("s1", T0.plusSeconds(1));
    StreamCut.Result r = cut(base, -1, S);
    assertThat(text()).isEqualTo(s(StreamCut.select(3)) + s(cmd("SET", "new", "y")));
    assertThat(r.db()).isEqualTo(3);
    out.reset();
    // the base's own repl-stream-db wins
    assertThat(cut(base, 5, S).db()).isEqualTo(5);
    assertThat(text()).startsWith(s(StreamCut.select(5)));
  }

  @Test
  void neverSplitsATransaction() throws IOException {
    line.ts(S).cmd(T0, "SET", "a", "1");
    long beforeMulti = line.offset();
    line.cmd(T0, "MULTI").cmd(T0, "SET", "b", "2");
    line.ts(S + 1).cmd(T0.plusSeconds(1), "SET", "c", "3").cmd(T0.plusSeconds(1), "EXEC");
    line.seal("s1", T0.plusSeconds(2));
    StreamCut.Result r = cut(1000, 0, S);
    assertThat(text())
        .isEqualTo(s(StreamCut.select(0)) + "#TS:" + S + "\r\n" + s(cmd("SET", "a", "1")));
    assertThat(r.cutOffset()).isEqualTo(beforeMulti);
    assertThat(r.lastCommand()).isEqualTo("SET a");
    out.reset();
    // a whole transaction before the cut is kept, and counted by its commands
    r = cut(1000, 0, S + 1);
    assertThat(text()).contains(s(cmd("MULTI"))).endsWith(s(cmd("EXEC")));
    assertThat(r.commands()).isEqualTo(3);
    assertThat(r.lastCommand()).isEqualTo("SET c");
  }

  @Test
  void dropsReplicationChatter() throws IOException {
    line.ts(S)
        .cmd(T0, "PING")
        .cmd(T0, "SET", "a", "1")
        .cmd(T0, "REPLCONF", "GETACK", "*")
        .cmd(T0, "PUBLISH", "ch", "m")
        .cmd(T0, "DEL", "a")
        .seal("s1", T0.plusSeconds(1));
    StreamCut.Result r = cut(1000, 0, S);
    assertThat(text())
        .isEqualTo(
            s(StreamCut.select(0))
                + "#TS:"
                + S
                + "\r\n"
                + s(cmd("SET", "a", "1"))
                + s(cmd("DEL", "a")));
    assertThat(r.dropped()).isEqualTo(3);
    assertThat(r.cutOffset()).isEqualTo(line.offset());
    assertThat(r.endedByTime()).isFalse();
  }

  @Test
  void readsACommandTornAcrossTwoSegments() throws IOException {
    byte[] c = cmd("SET", "torn", "value");
    byte[] head = java.util.Arrays.copyOfRange(c, 0, 9);
    byte[] tail = java.util.Arrays.copyOfRange(c, 9, c.length);
    line.ts(S).cmd(T0, "SET", "a", "1").raw(head, T0).seal("s1", T0);
    line.raw(tail, T0).cmd(T0, "SET", "b", "2").seal("s2", T0.plusSeconds(1));
    StreamCut.Result r = cut(1000, 0, S);
    assertThat(text()).contains(s(c)).endsWith(s(cmd("SET", "b", "2")));
    assertThat(r.commands()).isEqualTo(3);
    assertThat(r.segmentsRead()).isEqualTo(2);
    assertThat(r.lastSegment()).isEqualTo("s2");
  }

  @Test
  void aSegmentWithoutAnnotationTakesTheSecondOfItsFirstByte() throws IOException {
    line.ts(S).cmd(T0, "SET", "a", "1").seal("s1", T0.plusMillis(900));
    // no #TS line: its first byte came at S + 1, after the instant
    line.cmd(T0.plusSeconds(1), "SET", "b", "2").seal("s2", T0.plusSeconds(2));
    StreamCut.Result r = cut(1000, 0, S);
    assertThat(text()).doesNotContain("b\r\n");
    assertThat(r.commands()).isEqualTo(1);
  }

  @Test
  void aBaseInsideACommandIsAnIntegrityError() {
    line.ts(S).cmd(T0, "SET", "a", "1").seal("s1", T0.plusSeconds(1));
    assertThatThrownBy(() -> cut(1003, 0, S))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCode.INTEGRITY);
              assertThat(e.getMessage()).contains("inside a command");
            });
  }

  @Test
  void readsEverySegmentItOpensToItsEndSoThatItsChecksumIsChecked() throws IOException {
    line.ts(S).cmd(T0, "SET", "a", "1").ts(S + 1).cmd(T0, "SET", "b", "2").seal("s1", T0);
    line.cmd(T0, "SET", "c", "3").seal("s2", T0.plusSeconds(3));
    Set<String> toTheEnd = new HashSet<>();
    StreamCut.Result r =
        StreamCut.cut(
            line.segments(),
            seg ->
                new FilterInputStream(line.open(seg)) {
                  @Override
                  public int read() throws IOException {
                    int b = super.read();
                    if (b < 0) {
                      toTheEnd.add(seg.id());
                    }
                    return b;
                  }

                  @Override
                  public int read(byte[] buf, int off, int len) throws IOException {
                    int n = super.read(buf, off, len);
                    if (n < 0) {
                      toTheEnd.add(seg.id());
                    }
                    return n;
                  }
                },
            new Manifest.StreamPosition(REPLID, 1000, 0),
            S,
            null);
    assertThat(r.commands()).isEqualTo(1);
    assertThat(r.segmentsRead()).isEqualTo(1);
    assertThat(toTheEnd).containsExactly("s1");
  }

  @Test
  void malformedContentIsAnIntegrityError() {
    line.raw("+OK\r\n".getBytes(StandardCharsets.US_ASCII), T0).seal("s1", T0);
    assertThatThrownBy(() -> cut(1000, 0, S))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.INTEGRITY));
  }
}
