package io.redisops.backup.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamingGcmTest {
  private static final int SEG = StreamingGcm.SEGMENT;
  private final EncryptionKey key = EncryptionKey.of(bytes(32, 1));

  @ParameterizedTest
  @ValueSource(ints = {0, 1, SEG - 1, SEG, SEG + 1, 3 * SEG, 3 * SEG + 17})
  void roundTripsEverySize(int size) throws IOException {
    byte[] plain = bytes(size, size);
    byte[] sealed = encrypt(plain, key);
    assertThat(sealed.length)
        .isEqualTo(StreamingGcm.HEADER_LEN + size + 16 * Math.max(1, (size + SEG - 1) / SEG))
        // what push announces to the off-site store before it encrypts
        .isEqualTo(EncryptingOutputStream.encryptedSize(size));
    assertThat(decrypt(sealed, key)).isEqualTo(plain);
  }

  @Test
  void aFreshDataKeyAndNonceEveryTime() throws IOException {
    byte[] plain = bytes(1000, 7);
    byte[] a = encrypt(plain, key);
    byte[] b = encrypt(plain, key);
    assertThat(Arrays.copyOfRange(a, StreamingGcm.HEADER_LEN, a.length))
        .isNotEqualTo(Arrays.copyOfRange(b, StreamingGcm.HEADER_LEN, b.length));
  }

  @Test
  void everyChangedByteIsDetected() throws IOException {
    byte[] sealed = encrypt(bytes(2 * SEG + 100, 3), key);
    Random r = new Random(5);
    for (int i = 0; i < 40; i++) {
      int at = i < 10 ? i * 9 % StreamingGcm.HEADER_LEN : r.nextInt(sealed.length);
      byte[] tampered = sealed.clone();
      tampered[at] = (byte) (tampered[at] ^ (1 << r.nextInt(8)));
      assertThatThrownBy(() -> decrypt(tampered, key))
          .as("byte " + at)
          .isInstanceOf(DecryptionException.class);
    }
  }

  @Test
  void truncationAndExtensionAreDetected() throws IOException {
    byte[] sealed = encrypt(bytes(3 * SEG, 4), key);
    int segmentBoundary = StreamingGcm.HEADER_LEN + 2 * (SEG + 16);
    assertThatThrownBy(() -> decrypt(Arrays.copyOf(sealed, segmentBoundary), key))
        .isInstanceOf(DecryptionException.class);
    assertThatThrownBy(() -> decrypt(Arrays.copyOf(sealed, sealed.length - 1), key))
        .isInstanceOf(DecryptionException.class);
    assertThatThrownBy(() -> decrypt(Arrays.copyOf(sealed, sealed.length + 16), key))
        .isInstanceOf(DecryptionException.class);
    assertThatThrownBy(() -> decrypt(Arrays.copyOf(sealed, 20), key))
        .isInstanceOf(DecryptionException.class);
  }

  @Test
  void aWrongKeyIsNamedByItsId() throws IOException {
    EncryptionKey other = EncryptionKey.of(bytes(32, 2));
    byte[] sealed = encrypt(bytes(100, 1), key);
    assertThatThrownBy(() -> decrypt(sealed, other))
        .isInstanceOf(DecryptionException.class)
        .hasMessageContaining(key.id())
        .hasMessageContaining(other.id());
  }

  @Test
  void keyFilesInHexBase64AndRawFormAndTheIdRevealsNothing(@TempDir Path tmp) throws IOException {
    byte[] raw = bytes(32, 9);
    Path hex =
        Files.writeString(tmp.resolve("hex"), java.util.HexFormat.of().formatHex(raw) + "\n");
    Path b64 =
        Files.writeString(tmp.resolve("b64"), java.util.Base64.getEncoder().encodeToString(raw));
    Path bin = Files.write(tmp.resolve("bin"), raw);
    String id = EncryptionKey.of(raw).id();
    assertThat(EncryptionKey.load(hex, "k").id()).isEqualTo(id);
    assertThat(EncryptionKey.load(b64, "k").id()).isEqualTo(id);
    assertThat(EncryptionKey.load(bin, "k").id()).isEqualTo(id).hasSize(16);
    assertThat(EncryptionKey.load(bin, "k").toString())
        .doesNotContain(java.util.HexFormat.of().formatHex(raw).substring(0, 16));
    Path bad = Files.writeString(tmp.resolve("bad"), "secret", StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> EncryptionKey.load(bad, "offsite.encryption-key-file"))
        .isInstanceOf(RedisOpsException.class)
        .hasMessageContaining("offsite.encryption-key-file")
        .hasMessageNotContaining("secret")
        .extracting(e -> ((RedisOpsException) e).exitCode())
        .isEqualTo(ExitCode.USAGE);
  }

  private static byte[] encrypt(byte[] plain, EncryptionKey key) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (EncryptingOutputStream enc = new EncryptingOutputStream(out, key)) {
      // uneven writes, to cross segment boundaries mid-write
      for (int i = 0; i < plain.length; i += 1000) {
        enc.write(plain, i, Math.min(1000, plain.length - i));
      }
    }
    return out.toByteArray();
  }

  private static byte[] decrypt(byte[] sealed, EncryptionKey key) throws IOException {
    try (DecryptingInputStream in =
        new DecryptingInputStream(new ByteArrayInputStream(sealed), key, "obj")) {
      return in.readAllBytes();
    }
  }

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
