package io.redisops.backup.snapshot;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The framing of the replication payload, on byte streams: no server involved. */
class ReplicationRdbStreamFramingTest {
  private static final String SERVER = "redis://127.0.0.1:7777";
  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String MARK = "0123456789abcdef0123456789abcdef01234567";

  @Test
  void lengthFramingYieldsExactlyTheDeclaredBytesAndIgnoresWhatFollows() throws IOException {
    byte[] rdb = fakeRdb(1000);
    ReplicationRdbStream s =
        open(
            concat(
                ("$" + rdb.length + "\r\n").getBytes(ISO_8859_1),
                rdb,
                bytes("*1\r\n$4\r\nPING\r\n")));

    assertThat(s.diskless()).isFalse();
    assertThat(s.declaredLength()).isEqualTo(rdb.length);
    assertThat(s.headerReceivedAt()).isEqualTo(NOW);
    assertThat(s.rdb().readAllBytes()).isEqualTo(rdb);
    assertThat(s.rdb().read()).isEqualTo(-1);
  }

  @Test
  void leadingKeepAliveNewlinesAreSkipped() throws IOException {
    byte[] rdb = fakeRdb(10);
    ReplicationRdbStream s = open(concat(bytes("\n\n\n\n"), bytes("$10\r\n"), rdb));

    assertThat(s.rdb().readAllBytes()).isEqualTo(rdb);
  }

  @Test
  void eofFramingStripsTheMark() throws IOException {
    byte[] rdb = fakeRdb(200_000); // several internal buffers long
    ReplicationRdbStream s = open(concat(bytes("\n\n$EOF:" + MARK + "\r\n"), rdb, bytes(MARK)));

    assertThat(s.diskless()).isTrue();
    assertThat(s.declaredLength()).isEqualTo(-1);
    assertThat(s.rdb().readAllBytes()).isEqualTo(rdb);
    assertThat(s.rdb().read()).isEqualTo(-1);
  }

  @Test
  void eofFramingKeepsAPayloadTailThatResemblesPartOfTheMark() throws IOException {
    // The payload ends with the first 39 bytes of the mark, then the real mark follows: a naive
    // "tail starts like the
    // mark" check would cut the payload short; only the complete 40 bytes end it.
    for (int prefix = 1; prefix < MARK.length(); prefix += 7) {
      byte[] rdb = concat(fakeRdb(100), bytes(MARK.substring(0, prefix)));
      ReplicationRdbStream s = open(concat(bytes("$EOF:" + MARK + "\r\n"), rdb, bytes(MARK)));

      assertThat(s.rdb().readAllBytes())
          .as("payload ending with %d mark bytes", prefix)
          .isEqualTo(rdb);
    }
  }

  @Test
  void eofFramingWorksWhenBytesArriveOneAtATime() throws IOException {
    byte[] rdb = concat(fakeRdb(500), bytes(MARK.substring(0, 20)));
    ReplicationRdbStream s =
        ReplicationRdbStream.fromReplicationStream(
            new TrickleInputStream(concat(bytes("$EOF:" + MARK + "\r\n"), rdb, bytes(MARK))),
            SERVER,
            CLOCK,
            () -> {});

    ByteArrayOutputStream got = new ByteArrayOutputStream();
    int b;
    while ((b = s.rdb().read()) != -1) {
      got.write(b);
    }
    assertThat(got.toByteArray()).isEqualTo(rdb);
  }

  @Test
  void eofFramingFindsTheMarkAcrossChunkBoundariesWithArbitraryReadSizes() throws IOException {
    // Larger than two of the stream's chunks, full of the mark's first byte and of near-marks
    // (39 of its 40 bytes), delivered in random read sizes so the mark straddles reads.
    byte[] near = bytes(MARK.substring(0, 39) + "X");
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    Random random = new Random(3);
    while (payload.size() < 2 * EofFramedRdbInputStream.CHUNK + 12_345) {
      byte[] noise = new byte[random.nextInt(3000)];
      random.nextBytes(noise);
      payload.write(noise, 0, noise.length);
      payload.write(near, 0, near.length);
      payload.write('0');
    }
    byte[] rdb = payload.toByteArray();
    byte[] wire = concat(bytes("$EOF:" + MARK + "\r\n"), rdb, bytes(MARK));
    for (int seed = 0; seed < 3; seed++) {
      Random sizes = new Random(seed);
      ReplicationRdbStream s =
          ReplicationRdbStream.fromReplicationStream(
              chopped(wire, sizes, 200_000), SERVER, CLOCK, () -> {});
      assertThat(s.rdb().readAllBytes()).as("seed %d", seed).isEqualTo(rdb);
    }
  }

  /** Reads in random sizes of 1 to {@code max} bytes, as a socket does. */
  private static InputStream chopped(byte[] wire, Random sizes, int max) {
    return new InputStream() {
      private final ByteArrayInputStream in = new ByteArrayInputStream(wire);

      @Override
      public int read() {
        return in.read();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        return len == 0 ? 0 : in.read(b, off, Math.min(len, 1 + sizes.nextInt(max)));
      }
    };
  }

  /** Where {@code mark} first occurs in {@code data} at or after 0, by the definition. */
  private static int firstIndex(byte[] data, byte[] mark) {
    outer:
    for (int p = 0; p + mark.length <= data.length; p++) {
      for (int i = 0; i < mark.length; i++) {
        if (data[p + i] != mark[i]) {
          continue outer;
        }
      }
      return p;
    }
    return -1;
  }

  @Test
  void eofFramingEndsAtTheFirstWholeMarkWhateverThePayloadIsMadeOf() throws IOException {
    // The mark is searched for with skips (Horspool): payloads drawn from the mark's own alphabet,
    // full of windows that match it in all bytes but one (the first, one in the middle, the last),
    // each compared with the byte-by-byte definition, in random read sizes.
    byte[] mark = bytes(MARK);
    Random random = new Random(17);
    for (int round = 0; round < 40; round++) {
      ByteArrayOutputStream payload = new ByteArrayOutputStream();
      int target = round < 30 ? random.nextInt(5_000) : EofFramedRdbInputStream.CHUNK + 777;
      while (payload.size() < target) {
        switch (random.nextInt(4)) {
          case 0 -> {
            byte[] near = mark.clone();
            near[random.nextInt(near.length)] =
                (byte) "0123456789abcdefX".charAt(random.nextInt(17));
            payload.write(near, 0, random.nextInt(near.length + 1));
          }
          case 1 -> payload.write(mark, random.nextInt(mark.length), 1);
          default -> {
            byte[] noise = new byte[random.nextInt(200)];
            random.nextBytes(noise);
            payload.write(noise, 0, noise.length);
          }
        }
      }
      byte[] body = payload.toByteArray();
      int first = firstIndex(body, mark);
      byte[] rdb = first < 0 ? body : Arrays.copyOf(body, first);
      byte[] wire =
          concat(bytes("$EOF:" + MARK + "\r\n"), body, mark, bytes("*1\r\n$4\r\nPING\r\n"));
      ReplicationRdbStream s =
          ReplicationRdbStream.fromReplicationStream(
              chopped(wire, random, 1 + random.nextInt(90_000)), SERVER, CLOCK, () -> {});
      assertThat(s.rdb().readAllBytes()).as("round %d", round).isEqualTo(rdb);
    }
  }

  @Test
  void whatFollowsTheMarkIsTheCommandStreamEvenIfItContainsTheMarkAgain() throws IOException {
    byte[] rdb = fakeRdb(3000);
    byte[] after = concat(bytes("*1\r\n$4\r\nPING\r\n"), bytes(MARK), bytes("tail"));
    EofFramedRdbInputStream in =
        new EofFramedRdbInputStream(
            new ByteArrayInputStream(concat(rdb, bytes(MARK), after)), bytes(MARK), SERVER);
    assertThat(in.readAllBytes()).isEqualTo(rdb);
    assertThat(in.afterMark()).isEqualTo(after);
  }

  @Test
  void eofFramingHandsOutBytesBeforeTheMarkArrives() throws IOException {
    // Only 39 bytes may be held back: a stream that has not ended yet must already give the rest.
    byte[] received = concat(bytes("$EOF:" + MARK + "\r\n"), fakeRdb(1000));
    InputStream neverEnding =
        new SequenceInputStream(
            new ByteArrayInputStream(received),
            new InputStream() {
              @Override
              public int read() {
                throw new AssertionError("read past what has arrived");
              }

              @Override
              public int read(byte[] b, int off, int len) {
                throw new AssertionError("read past what has arrived");
              }
            });
    ReplicationRdbStream s =
        ReplicationRdbStream.fromReplicationStream(neverEnding, SERVER, CLOCK, () -> {});

    byte[] first = s.rdb().readNBytes(1000 - 39);
    assertThat(first).isEqualTo(Arrays.copyOf(fakeRdb(1000), 1000 - 39));
  }

  @Test
  void prematureEndOfLengthFramingIsAnIOExceptionWithTheCount() throws IOException {
    ReplicationRdbStream s = open(concat(bytes("$100\r\n"), fakeRdb(60)));

    assertThatThrownBy(() -> s.rdb().readAllBytes())
        .isInstanceOf(EOFException.class)
        .hasMessage(
            "replication stream from "
                + SERVER
                + " ended after 60 bytes, before the end of the RDB");
  }

  @Test
  void prematureEndOfEofFramingIsAnIOExceptionWithTheCount() throws IOException {
    ReplicationRdbStream s =
        open(concat(bytes("$EOF:" + MARK + "\r\n"), fakeRdb(60), bytes(MARK.substring(0, 39))));

    assertThatThrownBy(() -> s.rdb().readAllBytes())
        .isInstanceOf(EOFException.class)
        .hasMessage(
            "replication stream from "
                + SERVER
                + " ended after 99 bytes, before the end of the RDB");
  }

  @Test
  void endBeforeTheHeaderIsAnEofException() {
    assertThatThrownBy(() -> open(bytes("\n\n")))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining(SERVER);
    assertThatThrownBy(() -> open(bytes("$12"))).isInstanceOf(EOFException.class);
  }

  @Test
  void errorInsteadOfHeaderIsQuoted() {
    assertThatThrownBy(() -> open(bytes("-ERR Can't SYNC while not connected with my master\r\n")))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED))
        .hasMessage(
            "Redis at "
                + SERVER
                + " refused SYNC: 'ERR Can't SYNC while not connected with my master'");
  }

  @Test
  void noPermOnSyncIsAUsageErrorNamingTheAclPermissions() {
    assertThatThrownBy(
            () -> open(bytes("-NOPERM this user has no permissions to run the 'sync' command\r\n")))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessageContaining("+sync +replconf");
  }

  @Test
  void garbageHeadersAreRefused() {
    assertThatThrownBy(() -> open(bytes("+FULLRESYNC abc 0\r\n")))
        .isInstanceOf(RedisOpsException.class)
        .hasMessageContaining("instead of a snapshot");
    assertThatThrownBy(() -> open(bytes("$EOF:short\r\n")))
        .isInstanceOf(RedisOpsException.class)
        .hasMessageContaining("5-byte end mark");
    assertThatThrownBy(() -> open(bytes("$-1\r\n"))).isInstanceOf(RedisOpsException.class);
  }

  @Test
  void closingTheRdbStreamClosesTheConnection() throws IOException {
    AtomicBoolean closed = new AtomicBoolean();
    ReplicationRdbStream s =
        ReplicationRdbStream.fromReplicationStream(
            new ByteArrayInputStream(bytes("$0\r\n")), SERVER, CLOCK, () -> closed.set(true));

    s.rdb().close();

    assertThat(closed).isTrue();
  }

  private static ReplicationRdbStream open(byte[] wire) throws IOException {
    return ReplicationRdbStream.fromReplicationStream(
        new ByteArrayInputStream(wire), SERVER, CLOCK, () -> {});
  }

  private static byte[] fakeRdb(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(ISO_8859_1);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Hands out one byte per read, like a slow network. */
  private static final class TrickleInputStream extends InputStream {
    private final ByteArrayInputStream in;

    TrickleInputStream(byte[] data) {
      this.in = new ByteArrayInputStream(data);
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return len == 0 ? 0 : in.read(b, off, 1);
    }
  }
}
