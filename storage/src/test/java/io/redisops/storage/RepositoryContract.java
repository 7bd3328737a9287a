package io.redisops.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link Repository} contract, run against every driver (local folder, S3 through S3Proxy, and
 * the in-memory test fixture), so the fixture other modules' tests use behaves like the real
 * drivers.
 */
public abstract class RepositoryContract {

  /** A fresh, empty repository. */
  protected abstract Repository repository() throws IOException;

  /**
   * The keys under {@code prefix} once the server is done with the writes that failed. A local
   * driver is done when the write returns; an S3 server may notice the aborted request after the
   * client has given up, and the S3 driver's test overrides this to wait for that.
   */
  protected List<String> keysAfterFailedWrites(Repository r, String prefix) throws IOException {
    return r.list(prefix).stream().map(StoredObject::key).toList();
  }

  private static String text(Repository r, String key) throws IOException {
    try (InputStream in = r.read(key)) {
      return new String(in.readAllBytes(), UTF_8);
    }
  }

  @Test
  void writtenObjectsAreListedSortedAndReadBack() throws IOException {
    Repository r = repository();
    r.write("ds/b/manifest.json", out -> out.write("second".getBytes(UTF_8)));
    StoredObject a = r.write("ds/a/manifest.json", out -> out.write("first".getBytes(UTF_8)));
    r.write("other/x", out -> out.write('x'));

    assertThat(a.key()).isEqualTo("ds/a/manifest.json");
    assertThat(a.size()).isEqualTo(5);
    assertThat(a.name()).isEqualTo("manifest.json");
    assertThat(r.list("ds/"))
        .extracting(StoredObject::key)
        .containsExactly("ds/a/manifest.json", "ds/b/manifest.json");
    assertThat(text(r, "ds/b/manifest.json")).isEqualTo("second");
  }

  @Test
  void foldersAreTheNamesOneLevelDownThatHoldObjects() throws IOException {
    Repository r = repository();
    r.write("ds/20261201T000000Z/manifest.json", out -> out.write('m'));
    r.write("other/x", out -> out.write('x'));
    r.write("_archive/ds/tl/0.json", out -> out.write('r'));
    r.write("top", out -> out.write('t'));
    assertThat(r.folders("")).containsExactly("_archive", "ds", "other");
    assertThat(r.folders("_archive/")).containsExactly("ds");
    assertThat(r.folders("_archive/ds/")).containsExactly("tl");
    assertThat(r.folders("ds/20261201T000000Z/")).isEmpty();
    assertThat(r.folders("nothing/")).isEmpty();
    r.delete("other/x");
    assertThat(r.folders("")).containsExactly("_archive", "ds");
  }

  @Test
  void aMissingPrefixListsNothingAndAMissingObjectIsNoSuchFile() throws IOException {
    Repository r = repository();
    assertThat(r.list("nothing/")).isEmpty();
    assertThatThrownBy(() -> r.read("nothing/here")).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void aFailedWriteLeavesThePreviousObject() throws IOException {
    Repository r = repository();
    r.write("ds/a/data", out -> out.write("good".getBytes(UTF_8)));
    assertThatThrownBy(
            () ->
                r.write(
                    "ds/a/data",
                    out -> {
                      out.write("half".getBytes(UTF_8));
                      throw new IOException("disk gone");
                    }))
        .isInstanceOf(IOException.class);
    assertThat(text(r, "ds/a/data")).isEqualTo("good");
    r.cleanupIncomplete("ds/");
    assertThat(keysAfterFailedWrites(r, "ds/")).containsExactly("ds/a/data");
  }

  @Test
  void aWriteOfAnnouncedSizeStoresExactlyThoseBytesOrNothing() throws IOException {
    Repository r = repository();
    int size = 8 * 1024 * 1024 + 3; // more than an S3 part: one streaming PUT there
    byte[] data = new byte[size];
    new java.util.Random(1).nextBytes(data);
    StoredObject a = r.write("ds/a/data", size, out -> out.write(data));
    assertThat(a.size()).isEqualTo(size);
    try (InputStream in = r.read("ds/a/data")) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    // fewer bytes than announced, more, or a body that fails after its last byte: nothing stored
    assertThatThrownBy(() -> r.write("ds/b/data", size, out -> out.write(data, 0, size - 1)))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(
            () ->
                r.write(
                    "ds/c/data",
                    size,
                    out -> {
                      out.write(data);
                      out.write(1);
                    }))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(
            () ->
                r.write(
                    "ds/d/data",
                    size,
                    out -> {
                      out.write(data);
                      throw new IOException("the checksum does not match");
                    }))
        .hasMessage("the checksum does not match");
    r.cleanupIncomplete("ds/");
    assertThat(keysAfterFailedWrites(r, "ds/")).containsExactly("ds/a/data");
  }

  @Test
  void deleteRemovesAndToleratesMissing() throws IOException {
    Repository r = repository();
    r.write("ds/a/data", out -> out.write(1));
    r.delete("ds/a/data");
    r.delete("ds/a/data");
    assertThat(r.list("ds/")).isEmpty();
  }

  @Test
  void keysThatCouldEscapeAreRefused() throws IOException {
    Repository r = repository();
    for (String bad : List.of("/abs", "trailing/", "a//b", "a/../b", "./a")) {
      assertThatThrownBy(() -> r.write(bad, out -> out.write(1)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(r.list("")).isEmpty();
  }
}
