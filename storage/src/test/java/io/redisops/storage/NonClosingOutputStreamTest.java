package io.redisops.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NonClosingOutputStreamTest {
  /** Records what reaches it: bulk writes by length, single bytes as -1, flushes and closes. */
  private static final class Recording extends ByteArrayOutputStream {
    final List<Integer> writes = new ArrayList<>();
    int flushes;
    boolean closed;

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      writes.add(len);
      super.write(b, off, len);
    }

    @Override
    public synchronized void write(int b) {
      writes.add(-1);
      super.write(b);
    }

    @Override
    public void flush() {
      flushes++;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void closingFlushesButDoesNotCloseTheWrappedStream() throws Exception {
    Recording target = new Recording();
    try (OutputStream out = new NonClosingOutputStream(target)) {
      out.write(new byte[] {1, 2, 3});
    }
    assertThat(target.closed).isFalse();
    assertThat(target.flushes).isEqualTo(1);
    assertThat(target.toByteArray()).containsExactly(1, 2, 3);
  }

  @Test
  void bulkWritesAreForwardedWholeNotByteByByte() throws Exception {
    Recording target = new Recording();
    OutputStream out = new NonClosingOutputStream(target);
    byte[] data = new byte[64 * 1024];
    data[10] = 7;
    out.write(data, 10, 50_000);
    out.write(data);
    out.write(9);
    assertThat(target.writes).containsExactly(50_000, data.length, -1);
    assertThat(target.size()).isEqualTo(50_000 + data.length + 1);
    assertThat(target.toByteArray()[0]).isEqualTo((byte) 7);
  }
}
