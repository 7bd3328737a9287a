package io.redisops.backup.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.testkit.MutableClock;
import io.redisops.time.Deadline;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream that follows a growing file, driven without threads: the "writer" appends its next
 * chunk each time the stream asks whether it still runs (that is, each time the reader has caught
 * up with it).
 */
class GrowingFileInputStreamTest {
  @TempDir Path tmp;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  /** Appends one chunk per call; reports "running" until all are written (the last call too). */
  private static final class Writer implements BooleanSupplier {
    final Path file;
    final Deque<byte[]> chunks = new ArrayDeque<>();
    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    final boolean lastChunkWithExit;

    Writer(Path file, boolean lastChunkWithExit, int... sizes) {
      this.file = file;
      this.lastChunkWithExit = lastChunkWithExit;
      byte b = 1;
      for (int size : sizes) {
        byte[] c = new byte[size];
        for (int i = 0; i < size; i++) {
          c[i] = b++;
        }
        chunks.add(c);
      }
    }

    @Override
    public boolean getAsBoolean() {
      if (chunks.isEmpty()) {
        return false;
      }
      byte[] c = chunks.poll();
      try {
        Files.write(file, c, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      written.writeBytes(c);
      // the writer may append its last bytes and exit between two looks of the reader
      return !(lastChunkWithExit && chunks.isEmpty());
    }
  }

  private InputStream follow(Path file, Writer writer, GrowingFileInputStream.Completion done)
      throws IOException {
    return new GrowingFileInputStream(
        FileChannel.open(file, StandardOpenOption.READ),
        writer,
        done,
        Deadline.after(clock, Duration.ofMinutes(1)),
        "the test file");
  }

  @Test
  void readsEverythingTheWriterWroteThenEndsOnceTheCompletionIsConfirmed() throws Exception {
    Path file = Files.write(tmp.resolve("temp-1.rdb"), new byte[] {0});
    Writer writer = new Writer(file, true, 10, 70_000, 3, 1);
    AtomicInteger confirmed = new AtomicInteger();
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    read.write(0);
    try (InputStream in = follow(file, writer, confirmed::incrementAndGet)) {
      in.skipNBytes(1);
      byte[] buf = new byte[4096];
      for (int n; (n = in.read(buf)) >= 0; ) {
        assertThat(confirmed).as("confirmed only after the last byte").hasValue(0);
        read.write(buf, 0, n);
      }
      assertThat(in.read()).as("stays ended").isEqualTo(-1);
    }
    assertThat(writer.chunks).isEmpty();
    byte[] expected = new byte[1 + writer.written.size()];
    System.arraycopy(writer.written.toByteArray(), 0, expected, 1, writer.written.size());
    assertThat(read.toByteArray()).isEqualTo(expected);
    assertThat(confirmed).hasValue(1);
  }

  @Test
  void aFailedCompletionFailsTheReadInsteadOfEndingIt() throws Exception {
    Path file = Files.write(tmp.resolve("temp-2.rdb"), new byte[0]);
    Writer writer = new Writer(file, false, 100, 200);
    try (InputStream in =
        follow(
            file,
            writer,
            () -> {
              throw new IOException("child 42 ended before the snapshot was complete");
            })) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("child 42 ended before the snapshot was complete");
    }
    assertThat(writer.written.size()).isEqualTo(300);
  }

  @Test
  void aWriterThatStallsPastTheDeadlineFailsTheRead() throws Exception {
    Path file = Files.write(tmp.resolve("temp-3.rdb"), new byte[] {1, 2, 3});
    BooleanSupplier stalled =
        () -> {
          clock.advance(Duration.ofMinutes(2)); // time passes while it writes nothing
          return true;
        };
    try (InputStream in =
        new GrowingFileInputStream(
            FileChannel.open(file, StandardOpenOption.READ),
            stalled,
            () -> {},
            Deadline.after(clock, Duration.ofMinutes(1)),
            "the test file")) {
      assertThat(in.readNBytes(3)).containsExactly(1, 2, 3);
      assertThatThrownBy(in::read)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("the test file did not grow to a complete snapshot within 60 s")
          .hasMessageContaining("3 bytes read");
    }
  }
}
