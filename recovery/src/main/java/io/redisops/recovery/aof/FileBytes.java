package io.redisops.recovery.aof;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Random access to the bytes of a file through a sliding read buffer. The RESP parser jumps back
 * when it re-synchronises after damage; a plain stream cannot, and mapping a multi-gigabyte AOF at
 * once is not possible.
 */
final class FileBytes implements AutoCloseable {
  private static final int WINDOW = 1 << 20;

  private final FileChannel channel;
  private final long size;
  private final ByteBuffer buffer = ByteBuffer.allocate(WINDOW);
  private long windowStart = -1;
  private int windowLength;

  FileBytes(Path file) {
    try {
      this.channel = FileChannel.open(file, StandardOpenOption.READ);
      this.size = channel.size();
    } catch (IOException e) {
      throw new UncheckedIOException("unable to read '" + file + "'", e);
    }
  }

  long size() {
    return size;
  }

  /** The byte at {@code pos} (0..255), or -1 at or after the end. */
  int get(long pos) {
    if (pos < 0 || pos >= size) {
      return -1;
    }
    if (windowStart < 0 || pos < windowStart || pos >= windowStart + windowLength) {
      fill(pos);
    }
    return buffer.get((int) (pos - windowStart)) & 0xff;
  }

  private void fill(long pos) {
    buffer.clear();
    try {
      long p = pos;
      while (buffer.hasRemaining() && p < size) {
        int n = channel.read(buffer, p);
        if (n < 0) {
          break;
        }
        p += n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("unable to read at offset " + pos, e);
    }
    windowStart = pos;
    windowLength = buffer.position();
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // read-only channel: nothing to lose
    }
  }
}
