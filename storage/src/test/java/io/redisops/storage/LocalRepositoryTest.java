package io.redisops.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalRepositoryTest {

  @TempDir Path root;

  private LocalRepository repo() {
    return new LocalRepository(root);
  }

  private static Repository.BodyWriter text(String s) {
    return out -> out.write(s.getBytes(UTF_8));
  }

  private static String read(Repository repo, String key) throws IOException {
    try (InputStream in = repo.read(key)) {
      return new String(in.readAllBytes(), UTF_8);
    }
  }

  @Test
  void writeThenListAndRead() throws IOException {
    LocalRepository repo = repo();

    StoredObject written = repo.write("cache/20261122T110000Z/dump.rdb.zst", text("hello"));
    repo.write("cache/20261122T110000Z/manifest.json", text("{}"));
    repo.write("other/x/manifest.json", text("{}"));

    assertThat(written.key()).isEqualTo("cache/20261122T110000Z/dump.rdb.zst");
    assertThat(written.size()).isEqualTo(5);
    assertThat(written.name()).isEqualTo("dump.rdb.zst");
    assertThat(read(repo, "cache/20261122T110000Z/dump.rdb.zst")).isEqualTo("hello");
    assertThat(repo.list("cache/"))
        .extracting(StoredObject::key)
        .containsExactly(
            "cache/20261122T110000Z/dump.rdb.zst", "cache/20261122T110000Z/manifest.json");
    assertThat(repo.list("")).hasSize(3);
    assertThat(repo.list("cache/20261122T110000Z/man"))
        .extracting(StoredObject::name)
        .containsExactly("manifest.json");
    assertThat(repo.list("missing/")).isEmpty();
  }

  @Test
  void writeReplacesAnExistingObject() throws IOException {
    LocalRepository repo = repo();
    repo.write("a/b", text("old"));
    repo.write("a/b", text("new!"));
    assertThat(read(repo, "a/b")).isEqualTo("new!");
    assertThat(repo.list("a/")).singleElement().extracting(StoredObject::size).isEqualTo(4L);
  }

  @Test
  void readingAMissingObjectThrowsNoSuchFile() {
    assertThatThrownBy(() -> repo().read("a/missing")).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void filesAre0600AndCreatedFolders0700() throws IOException {
    LocalRepository repo = repo();
    repo.write("ds/id/dump.rdb", text("x"));

    assertThat(Files.getPosixFilePermissions(root.resolve("ds/id/dump.rdb")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(root.resolve("ds/id")))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getPosixFilePermissions(root.resolve("ds")))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void aMissingRootIsCreated0700() throws IOException {
    LocalRepository repo = new LocalRepository(root.resolve("new/repo"));
    repo.write("ds/id/x", text("x"));
    assertThat(Files.getPosixFilePermissions(root.resolve("new/repo")))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void aFailingBodyLeavesNoObjectNoTempFileAndNoEmptyFolder() throws IOException {
    LocalRepository repo = repo();

    assertThatThrownBy(
            () ->
                repo.write(
                    "ds/id/dump.rdb",
                    out -> {
                      out.write("partial".getBytes(UTF_8));
                      throw new IOException("snapshot stream broke");
                    }))
        .isInstanceOf(IOException.class)
        .hasMessage("snapshot stream broke");

    assertThat(repo.list("")).isEmpty();
    assertThat(allFiles()).isEmpty();
    assertThat(root.resolve("ds")).doesNotExist();
    assertThat(root).isDirectory();
  }

  @Test
  void aFailingBodyLeavesTheExistingObjectUnchanged() throws IOException {
    LocalRepository repo = repo();
    repo.write("ds/id/dump.rdb", text("good"));

    assertThatThrownBy(
            () ->
                repo.write(
                    "ds/id/dump.rdb",
                    out -> {
                      out.write("bad".getBytes(UTF_8));
                      throw new IllegalStateException("boom");
                    }))
        .isInstanceOf(IllegalStateException.class);

    assertThat(read(repo, "ds/id/dump.rdb")).isEqualTo("good");
    assertThat(allFiles()).containsExactly(root.resolve("ds/id/dump.rdb"));
  }

  @Test
  void listSkipsHiddenFiles() throws IOException {
    LocalRepository repo = repo();
    repo.write("ds/id/dump.rdb", text("x"));
    Files.writeString(root.resolve("ds/id/.dump.rdb.part-1a2b3c4d"), "half");
    Files.writeString(root.resolve("ds/.lock"), "123");

    assertThat(repo.list("")).extracting(StoredObject::key).containsExactly("ds/id/dump.rdb");
    assertThat(repo.list("ds/")).extracting(StoredObject::key).containsExactly("ds/id/dump.rdb");
  }

  @Test
  void listAndFoldersJudgeEntriesAlike() throws IOException {
    LocalRepository repo = repo();
    repo.write("real/id/dump.rdb", text("x"));
    // only a writer's temporary file: no object, so no folder
    Files.createDirectories(root.resolve("temp-only/id"));
    Files.writeString(root.resolve("temp-only/id/.dump.rdb.part-1a2b3c4d"), "half");
    // a link to an object is an object; a link to a folder is not
    Files.createDirectories(root.resolve("linked/id"));
    Files.createSymbolicLink(root.resolve("linked/id/dump.rdb"), root.resolve("real/id/dump.rdb"));
    Files.createDirectories(root.resolve("folder-link"));
    Files.createSymbolicLink(root.resolve("folder-link/id"), root.resolve("real/id"));

    assertThat(repo.folders("")).containsExactly("linked", "real");
    assertThat(repo.list(""))
        .extracting(StoredObject::key)
        .containsExactly("linked/id/dump.rdb", "real/id/dump.rdb");
    assertThat(repo.list("linked/")).extracting(StoredObject::size).containsExactly(1L);
  }

  @Test
  void aDanglingLinkIsAnErrorNotAMissingObject() throws IOException {
    LocalRepository repo = repo();
    Files.createDirectories(root.resolve("ds/id"));
    Files.createSymbolicLink(root.resolve("ds/id/dump.rdb"), root.resolve("gone"));

    assertThatThrownBy(() -> repo.list("ds/")).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> repo.folders("")).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void cleanupIncompleteRemovesTempFilesLeftByACrash() throws IOException {
    LocalRepository repo = repo();
    repo.write("ds/a/dump.rdb", text("keep"));
    Files.writeString(root.resolve("ds/a/.manifest.json.part-0badf00d"), "{");
    Files.createDirectories(root.resolve("ds/b"));
    Files.writeString(root.resolve("ds/b/.dump.rdb.zst.part-12345678"), "half");
    Files.writeString(root.resolve("ds/.lock"), "123");
    Files.createDirectories(root.resolve("other/c"));
    Files.writeString(root.resolve("other/c/.x.part-87654321"), "half");
    // a run killed after making its backup's folder, before its first file
    Files.createDirectories(root.resolve("ds/20260101T000000Z"));

    assertThat(repo.cleanupIncomplete("ds/")).isEqualTo(3);
    assertThat(root.resolve("ds/20260101T000000Z")).as("empty folder").doesNotExist();
    assertThat(root.resolve("ds")).as("the dataset's folder stays").isDirectory();

    assertThat(root.resolve("ds/a/.manifest.json.part-0badf00d")).doesNotExist();
    assertThat(root.resolve("ds/b")).as("emptied folder").doesNotExist();
    assertThat(root.resolve("ds/.lock")).as("not a temp file").exists();
    assertThat(root.resolve("other/c/.x.part-87654321")).as("outside the prefix").exists();
    assertThat(read(repo, "ds/a/dump.rdb")).isEqualTo("keep");

    assertThat(repo.cleanupIncomplete("")).isEqualTo(1);
    assertThat(root.resolve("other")).doesNotExist();
    assertThat(repo.cleanupIncomplete("")).isZero();
    assertThat(repo.cleanupIncomplete("missing/")).isZero();
  }

  @Test
  void deleteRemovesEmptiedFoldersButNotTheRoot() throws IOException {
    LocalRepository repo = repo();
    repo.write("ds/a/dump.rdb", text("x"));
    repo.write("ds/a/manifest.json", text("{}"));
    repo.write("ds/b/manifest.json", text("{}"));

    repo.delete("ds/a/dump.rdb");
    assertThat(root.resolve("ds/a")).isDirectory();

    repo.delete("ds/a/manifest.json");
    assertThat(root.resolve("ds/a")).doesNotExist();
    assertThat(root.resolve("ds")).isDirectory();

    repo.delete("ds/b/manifest.json");
    assertThat(root.resolve("ds")).doesNotExist();
    assertThat(root).isDirectory();
  }

  @Test
  void deletingAMissingObjectIsNotAnError() throws IOException {
    repo().delete("ds/none/manifest.json");
    assertThat(root).isDirectory();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../escape",
        "ds/../../escape",
        "/etc/passwd",
        "ds//x",
        "ds/./x",
        "ds/x/",
        "",
        "."
      })
  void invalidKeysAreRefused(String key) {
    LocalRepository repo = repo();
    assertThatThrownBy(() -> repo.write(key, text("x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> repo.read(key)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> repo.delete(key)).isInstanceOf(IllegalArgumentException.class);
    assertThat(root.getParent().resolve("escape")).doesNotExist();
  }

  private List<Path> allFiles() throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  /**
   * An object that is a pipe is read forward to its end: nothing asks the pipe for its position.
   */
  @Test
  void anObjectThatIsAPipeIsReadWithoutSeeking() throws Exception {
    LocalRepository repo = new LocalRepository(root.resolve("repo"));
    repo.write("ds/a/data", out -> out.write(1));
    Path object = repo.pathOf("ds/a/data");
    Files.delete(object);
    assertThat(new ProcessBuilder("mkfifo", object.toString()).start().waitFor()).isZero();
    byte[] content = "0123456789".repeat(1000).getBytes(UTF_8);
    Thread feeder =
        new Thread(
            () -> {
              try (java.io.OutputStream out = Files.newOutputStream(object)) {
                out.write(content);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    feeder.start();
    try (InputStream in = repo.read("ds/a/data")) {
      assertThat(in.available()).isZero();
      assertThat(in.skip(10)).isEqualTo(10);
      assertThat(in.readAllBytes()).hasSize(content.length - 10);
    }
    feeder.join();
  }
}
