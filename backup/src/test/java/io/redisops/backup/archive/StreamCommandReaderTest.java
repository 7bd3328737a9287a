package io.redisops.backup.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.RedisOpsException;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StreamCommandReaderTest {
  private static final String SELECT = "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n";
  private static final String SET = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\r\nb\u00ff\r\n";
  private static final String GETACK = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n";

  /** Hands out one byte per read: every split point of the stream is crossed. */
  private static InputStream trickle(String s) {
    return new FilterInputStream(
        new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1))) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, 1));
      }
    };
  }

  private static String raw(StreamCommandReader.Command c) {
    return new String(Arrays.copyOf(c.raw(), c.length()), StandardCharsets.ISO_8859_1);
  }

  @Test
  void commandsComeOutWholeWithTheirExactBytesWhateverTheReads() throws IOException {
    StreamCommandReader r = new StreamCommandReader(trickle(SELECT + SET + GETACK), "test");

    StreamCommandReader.Command select = r.next();
    StreamCommandReader.Command set = r.next();
    StreamCommandReader.Command ack = r.next();

    assertThat(raw(select)).isEqualTo(SELECT);
    assertThat(select.name()).isEqualTo("select");
    assertThat(select.arg1()).isEqualTo("3");
    assertThat(raw(set)).isEqualTo(SET); // a value holding CR LF and a high byte
    assertThat(set.length()).isEqualTo(SET.length());
    assertThat(ack.name()).isEqualTo("replconf");
    assertThat(ack.arg1()).isEqualTo("GETACK");
    assertThatThrownBy(r::next).isInstanceOf(EOFException.class);
  }

  @Test
  void somethingThatIsNotACommandIsAProtocolError() {
    StreamCommandReader r = new StreamCommandReader(trickle("+OK\r\n"), "test");

    assertThatThrownBy(r::next)
        .isInstanceOf(RedisOpsException.class)
        .hasMessageContaining("where a command should start");
  }
}
