package io.redisops.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WritebackOutputStreamTest {
  @TempDir Path dir;

  @Test
  void everyByteArrivesAndAFlushStartsEverySixteenMebibytes() throws Exception {
    Path file = dir.resolve("object");
    byte[] chunk = new byte[256 * 1024 + 7]; // not a divisor of EVERY
    new Random(42).nextBytes(chunk);
    MessageDigest written = MessageDigest.getInstance("SHA-256");
    long total = 0;
    WritebackOutputStream out;
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      out = new WritebackOutputStream(Channels.newOutputStream(ch), ch);
      while (total < 3 * WritebackOutputStream.EVERY + 5) {
        out.write(chunk, 3, chunk.length - 3);
        written.update(chunk, 3, chunk.length - 3);
        total += chunk.length - 3;
        out.write(chunk[0]);
        written.update(chunk[0]);
        total++;
      }
      out.finish();
      ch.force(true);
    }
    assertThat(Files.size(file)).isEqualTo(total);
    MessageDigest read = MessageDigest.getInstance("SHA-256");
    read.update(Files.readAllBytes(file));
    assertThat(read.digest()).isEqualTo(written.digest());
    // one flush per 16 MiB at most, never two at once: 1 to 3 started over 48 MiB
    assertThat(out.flushesStarted()).isBetween(1, 3);
  }

  @Test
  void closingWaitsForTheFlushAndClosesTheFile() throws Exception {
    Path file = dir.resolve("small");
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      OutputStream out = new WritebackOutputStream(Channels.newOutputStream(ch), ch);
      out.write(new byte[(int) WritebackOutputStream.EVERY]);
      out.close();
      assertThat(ch.isOpen()).isFalse();
    }
    assertThat(Files.size(file)).isEqualTo(WritebackOutputStream.EVERY);
  }
}
