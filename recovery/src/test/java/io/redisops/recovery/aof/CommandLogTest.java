package io.redisops.recovery.aof;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RESP / #TS reader on files written the way Redis 7 writes incr files. */
class CommandLogTest {
  @TempDir Path tmp;

  static String cmd(String... args) {
    StringBuilder s = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      s.append('$')
          .append(a.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n")
          .append(a)
          .append("\r\n");
    }
    return s.toString();
  }

  private Path file(String... parts) throws IOException {
    Path p = tmp.resolve("appendonly.aof.1.incr.aof");
    Files.writeString(p, String.join("", parts), StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void countsCommandsAndTheLastTimestamp() throws IOException {
    Path f =
        file(
            "#TS:1700000000\r\n",
            cmd("SELECT", "0"),
            cmd("set", "k1", "v\r\n1"),
            "#TS:1700000005\r\n",
            cmd("set", "k2", "v2"));
    CommandLog.Scan s = CommandLog.scan(f, 0, Long.MAX_VALUE);
    assertThat(s.commands()).isEqualTo(3);
    assertThat(s.malformedAt()).isEqualTo(-1);
    assertThat(s.end()).isEqualTo(Files.size(f));
    assertThat(s.lastTimestamp()).isEqualTo(Instant.ofEpochSecond(1700000005));
    assertThat(s.trailingFlush()).isNull();
    assertThat(s.lastFlush()).isNull();
  }

  @Test
  void aTruncatedTailLosesOneCommand() throws IOException {
    String intact = cmd("SELECT", "0") + cmd("set", "k1", "v1");
    String last = cmd("set", "k2", "v2");
    Path f = file(intact, last.substring(0, last.length() - 5));
    CommandLog.Scan s = CommandLog.scan(f, 0, Long.MAX_VALUE);
    assertThat(s.commands()).isEqualTo(2);
    assertThat(s.malformedAt()).isEqualTo(intact.length());
    CommandLog.Loss loss = CommandLog.lossFrom(f, intact.length());
    assertThat(loss.commands()).isEqualTo(1);
    assertThat(loss.bytes()).isEqualTo(last.length() - 5);
  }

  @Test
  void damageInTheMiddleCountsEveryCommandAfterIt() throws IOException {
    String head = cmd("SELECT", "0") + cmd("set", "k1", "v1");
    String damaged = cmd("set", "k2", "v2").replace("$2\r\nk2", "X2\r\nk2");
    StringBuilder rest = new StringBuilder();
    for (int i = 0; i < 7; i++) {
      rest.append(cmd("set", "*k" + i, "*3\r\n"));
    }
    Path f = file(head, damaged, "#TS:1700000009\r\n", rest.toString());
    CommandLog.Loss loss = CommandLog.lossFrom(f, head.length());
    assertThat(loss.commands()).isEqualTo(8);
    assertThat(loss.bytes()).isEqualTo(Files.size(f) - head.length());
  }

  @Test
  void findsTrailingFlushesInEveryVariant() throws IOException {
    String writes = "#TS:1700000000\r\n" + cmd("SELECT", "0") + cmd("set", "k", "v");
    for (List<String> flush :
        List.of(
            List.of("FLUSHALL"),
            List.of("flushall", "ASYNC"),
            List.of("FLUSHALL", "SYNC"),
            List.of("flushdb"),
            List.of("FLUSHDB", "async"))) {
      String tail = "#TS:1700000003\r\n" + cmd(flush.toArray(String[]::new));
      Path f = file(writes, tail);
      CommandLog.Scan s = CommandLog.scan(f, 0, Long.MAX_VALUE);
      assertThat(s.trailingFlush()).as(flush.toString()).isNotNull();
      assertThat(s.trailingFlush().cutAt()).isEqualTo(writes.length());
      assertThat(s.trailingFlush().bytes()).isEqualTo(tail.length());
      assertThat(s.trailingFlush().commands())
          .containsExactly(String.join(" ", flush).toUpperCase(Locale.ROOT));
    }
  }

  @Test
  void severalFlushesAcrossDatabasesAndATransactionAreOneTrailingRun() throws IOException {
    String writes = cmd("SELECT", "0") + cmd("set", "k", "v");
    String tail =
        cmd("FLUSHDB")
            + cmd("SELECT", "3")
            + cmd("FLUSHDB")
            + cmd("MULTI")
            + cmd("FLUSHALL")
            + cmd("EXEC");
    CommandLog.Scan s = CommandLog.scan(file(writes, tail), 0, Long.MAX_VALUE);
    assertThat(s.trailingFlush().cutAt()).isEqualTo(writes.length());
    assertThat(s.trailingFlush().commands())
        .containsExactly("FLUSHDB", "SELECT 3", "FLUSHDB", "MULTI", "FLUSHALL", "EXEC");
  }

  @Test
  void writesAfterTheFlushMeanNoTrailingFlush() throws IOException {
    Path f =
        file(
            cmd("SELECT", "0"),
            cmd("set", "a", "1"),
            cmd("FLUSHALL"),
            cmd("SELECT", "1"),
            cmd("set", "b", "2"),
            cmd("del", "b"));
    CommandLog.Scan s = CommandLog.scan(f, 0, Long.MAX_VALUE);
    assertThat(s.trailingFlush()).isNull();
    assertThat(s.lastFlush()).isEqualTo("FLUSHALL");
    assertThat(s.commandsAfterLastFlush()).isEqualTo(2);
  }

  @Test
  void aTransactionWithWritesAndAFlushIsNotUndone() throws IOException {
    Path f =
        file(
            cmd("set", "a", "1"), cmd("MULTI"), cmd("set", "b", "2"), cmd("FLUSHALL"), cmd("EXEC"));
    assertThat(CommandLog.scan(f, 0, Long.MAX_VALUE).trailingFlush()).isNull();
  }
}
