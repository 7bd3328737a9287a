package io.redisops.backup.catalog;

import static io.redisops.backup.fixtures.TestManifests.manifest;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.redisops.backup.fixtures.TestManifests;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.storage.ForwardingRepository;
import io.redisops.storage.LocalRepository;
import io.redisops.storage.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class BackupCatalogTest {
  private static final Instant T0 = Instant.parse("2026-11-22T11:00:00Z");

  @TempDir Path root;

  private LocalRepository repo() {
    return new LocalRepository(root);
  }

  private static void put(Repository repo, String key, String content) throws IOException {
    repo.write(key, out -> out.write(content.getBytes(UTF_8)));
  }

  /** A complete backup: data object, then manifest. */
  private static Manifest store(BackupCatalog catalog, String id, Instant time, Tier... tiers)
      throws IOException {
    Manifest m = manifest(catalog.dataset(), id, time, tiers);
    put(catalog.repository(), catalog.objectKey(id, m.object()), "rdb-bytes");
    catalog.saveManifest(m);
    return m;
  }

  @Test
  void listsSavedManifestsNewestFirst() throws IOException {
    BackupCatalog catalog = new BackupCatalog(repo(), "cache");
    store(catalog, "20261122T110000Z", T0, Tier.HOURLY);
    store(catalog, "20261122T130000Z", T0.plusSeconds(7200), Tier.HOURLY);
    store(catalog, "20261122T120000Z", T0.plusSeconds(3600), Tier.HOURLY, Tier.DAILY);

    List<Manifest> list = catalog.list();

    assertThat(list)
        .extracting(Manifest::id)
        .containsExactly("20261122T130000Z", "20261122T120000Z", "20261122T110000Z");
    assertThat(list.get(1))
        .isEqualTo(
            manifest("cache", "20261122T120000Z", T0.plusSeconds(3600), Tier.HOURLY, Tier.DAILY));
    assertThat(catalog.find("20261122T120000Z")).contains(list.get(1));
    assertThat(catalog.incompleteIds()).isEmpty();
  }

  @Test
  void newestFirstBreaksTiesByIdDescending() {
    Manifest a = manifest("ds", "20261122T110000Z", T0);
    Manifest b = manifest("ds", "20261122T110000Z-2", T0);
    Manifest older = manifest("ds", "20261122T100000Z", T0.minusSeconds(3600));
    assertThat(java.util.stream.Stream.of(older, a, b).sorted(BackupCatalog.NEWEST_FIRST))
        .containsExactly(b, a, older);
  }

  @Test
  void findRefusesIdsThatAreNotPlainNames() throws IOException {
    BackupCatalog catalog = new BackupCatalog(repo(), "cache");
    store(catalog, "20261122T110000Z", T0);
    assertThat(catalog.find("../cache/20261122T110000Z")).isEmpty();
    assertThat(catalog.find("")).isEmpty();
    assertThat(catalog.find(null)).isEmpty();
    assertThat(catalog.find(".hidden")).isEmpty();
    assertThat(catalog.find("20261122T000000Z")).isEmpty();
  }

  @Test
  void aBackupWithoutManifestIsIncompleteNotListed() throws IOException {
    LocalRepository repo = repo();
    BackupCatalog catalog = new BackupCatalog(repo, "cache");
    store(catalog, "20261122T110000Z", T0);
    put(repo, "cache/20261122T120000Z/dump.rdb.zst", "interrupted");

    assertThat(catalog.list()).extracting(Manifest::id).containsExactly("20261122T110000Z");
    assertThat(catalog.incompleteIds()).containsExactly("20261122T120000Z");
  }

  @Test
  void cleanupIncompleteRemovesBackupsWithoutManifestAndTempFiles() throws IOException {
    LocalRepository repo = repo();
    BackupCatalog catalog = new BackupCatalog(repo, "cache");
    store(catalog, "20261122T110000Z", T0);
    put(repo, "cache/20261122T120000Z/dump.rdb.zst", "interrupted");
    Files.writeString(root.resolve("cache/20261122T110000Z/.manifest.json.part-deadbeef"), "{");

    assertThat(catalog.cleanupIncomplete()).isEqualTo(2);

    assertThat(root.resolve("cache/20261122T120000Z")).doesNotExist();
    assertThat(root.resolve("cache/20261122T110000Z/.manifest.json.part-deadbeef")).doesNotExist();
    assertThat(catalog.incompleteIds()).isEmpty();
    assertThat(catalog.list()).extracting(Manifest::id).containsExactly("20261122T110000Z");
    assertThat(catalog.cleanupIncomplete()).isZero();
  }

  @Test
  void newIdIsUtcSecondsWithSuffixWhenTaken() throws IOException {
    LocalRepository repo = repo();
    BackupCatalog catalog = new BackupCatalog(repo, "cache");
    Instant t = Instant.parse("2026-11-22T11:00:00.750Z");

    assertThat(catalog.newId(t)).isEqualTo("20261122T110000Z");
    assertThat(catalog.newId(Instant.parse("2026-01-02T03:04:05Z"))).isEqualTo("20260102T030405Z");

    store(catalog, "20261122T110000Z", t);
    assertThat(catalog.newId(t)).isEqualTo("20261122T110000Z-2");

    store(catalog, "20261122T110000Z-2", t);
    assertThat(catalog.newId(t)).isEqualTo("20261122T110000Z-3");
  }

  @Test
  void newIdSkipsAnIdHeldOnlyByAnIncompleteBackup() throws IOException {
    LocalRepository repo = repo();
    BackupCatalog catalog = new BackupCatalog(repo, "cache");
    put(repo, "cache/20261122T110000Z/dump.rdb.zst", "interrupted");

    assertThat(catalog.newId(T0)).isEqualTo("20261122T110000Z-2");
  }

  @Test
  void newIdOnlyLooksAtItsOwnDataset() throws IOException {
    LocalRepository repo = repo();
    store(new BackupCatalog(repo, "other"), "20261122T110000Z", T0);
    assertThat(new BackupCatalog(repo, "cache").newId(T0)).isEqualTo("20261122T110000Z");
  }

  @Test
  void deleteRemovesTheBackupAndItsFolder() throws IOException {
    BackupCatalog catalog = new BackupCatalog(repo(), "cache");
    Manifest keep = store(catalog, "20261122T110000Z", T0);
    Manifest gone = store(catalog, "20261122T120000Z", T0.plusSeconds(3600));

    catalog.delete(gone);

    assertThat(catalog.list()).containsExactly(keep);
    assertThat(root.resolve("cache/20261122T120000Z")).doesNotExist();
    assertThat(root.resolve("cache")).isDirectory();
  }

  @Test
  void deleteRemovesTheManifestFirst() throws IOException {
    LocalRepository local = repo();
    FailingDeletes repo = new FailingDeletes(local, "dump.rdb.zst");
    BackupCatalog catalog = new BackupCatalog(repo, "cache");
    Manifest m = store(catalog, "20261122T110000Z", T0);

    assertThatThrownBy(() -> catalog.delete(m)).isInstanceOf(IOException.class);

    assertThat(repo.deleted).first().isEqualTo("cache/20261122T110000Z/manifest.json");
    assertThat(catalog.list()).isEmpty();
    assertThat(catalog.incompleteIds()).containsExactly("20261122T110000Z");
    assertThat(root.resolve("cache/20261122T110000Z/dump.rdb.zst")).exists();
  }

  @Test
  void aCorruptManifestIsSkipped() throws IOException {
    LocalRepository repo = repo();
    BackupCatalog catalog = new BackupCatalog(repo, "cache");
    store(catalog, "20261122T110000Z", T0);
    put(repo, "cache/20261122T120000Z/dump.rdb.zst", "x");
    put(repo, "cache/20261122T120000Z/manifest.json", "{\"format_version\": 1, \"id\": ");
    put(repo, "cache/20261122T130000Z/manifest.json", "");
    put(repo, "cache/20261122T140000Z/manifest.json", "not json at all");
    put(repo, "cache/20261122T150000Z/manifest.json", "{\"id\": \"x\", \"tiers\": [\"weekly\"]}");

    assertThat(catalog.list()).extracting(Manifest::id).containsExactly("20261122T110000Z");
    assertThat(catalog.find("20261122T120000Z")).isEmpty();
  }

  @Test
  void aManifestMissingRequiredFieldsIsSkipped() throws IOException {
    LocalRepository repo = repo();
    BackupCatalog catalog = new BackupCatalog(repo, "cache");
    store(catalog, "20261122T110000Z", T0);
    store(catalog, "20261122T100000Z", T0.minusSeconds(3600));
    put(repo, "cache/20261122T120000Z/manifest.json", "{}");

    assertThat(catalog.list())
        .extracting(Manifest::id)
        .containsExactly("20261122T110000Z", "20261122T100000Z");
  }

  @Test
  void aManifestNamingAnotherBackupIsSkipped() throws IOException {
    LocalRepository repo = repo();
    BackupCatalog catalog = new BackupCatalog(repo, "cache");
    Manifest real = store(catalog, "20261122T110000Z", T0);
    // a copy of the manifest in another folder: deleting "it" would delete the real backup
    Files.createDirectories(root.resolve("cache/20261122T120000Z"));
    Files.copy(
        root.resolve("cache/20261122T110000Z/manifest.json"),
        root.resolve("cache/20261122T120000Z/manifest.json"));

    assertThat(catalog.list()).containsExactly(real);
    assertThat(catalog.find("20261122T120000Z")).isEmpty();
  }

  @Test
  void everyUnusableBackupIsNamedWithItsProblem() throws IOException {
    LocalRepository repo = repo();
    BackupCatalog catalog = new BackupCatalog(repo, "cache");
    Manifest good = store(catalog, "20261122T110000Z", T0);
    // truncated manifest
    put(repo, "cache/20261122T120000Z/dump.rdb.zst", "x");
    put(repo, "cache/20261122T120000Z/manifest.json", "{\"format_version\": 1, \"id\": ");
    // a manifest whose object points outside the repository
    Manifest escaping = manifest("cache", "20261122T130000Z", T0.plusSeconds(7200));
    put(
        repo,
        "cache/20261122T130000Z/manifest.json",
        new String(ManifestCodec.toJson(escaping), UTF_8)
            .replace("\"dump.rdb.zst\"", "\"../../etc/passwd\""));
    // data file missing
    catalog.saveManifest(manifest("cache", "20261122T140000Z", T0.plusSeconds(10800)));

    BackupCatalog.Scan scan = catalog.scan();

    assertThat(scan.usable()).containsExactly(good);
    assertThat(scan.unusable())
        .extracting(BackupCatalog.Unusable::id)
        .containsExactly("20261122T120000Z", "20261122T130000Z", "20261122T140000Z");
    assertThat(scan.unusable().get(0).problem()).contains("manifest").contains("truncated");
    assertThat(scan.unusable().get(1).problem())
        .contains("../../etc/passwd")
        .contains("not a file of the backup's folder");
    assertThat(scan.unusable().get(2).problem()).contains("data file").contains("missing");
    assertThat(catalog.lookup("20261122T130000Z").problem())
        .isEqualTo(scan.unusable().get(1).problem());
    assertThat(catalog.lookup("20261122T150000Z").exists()).isFalse();
    // even a manifest built by hand cannot open a file outside its folder
    assertThat(
            catchThrowableOfType(
                    RedisOpsException.class,
                    () ->
                        catalog.openObject(
                            TestManifests.from(escaping).object("../../etc/passwd").build()))
                .exitCode())
        .isEqualTo(ExitCode.INTEGRITY);
  }

  @Test
  void aBackupMarkedBadStaysUsableButKnownBadUntilCleared() throws IOException {
    BackupCatalog catalog = new BackupCatalog(repo(), "cache");
    Manifest m = store(catalog, "20261122T110000Z", T0);
    byte[] manifestBefore =
        Files.readAllBytes(root.resolve("cache/20261122T110000Z/manifest.json"));

    catalog.markBad(m.id(), List.of("RDB CRC64 mismatch"), T0.plusSeconds(60));

    assertThat(catalog.scan().knownBad()).containsExactly(m.id());
    assertThat(catalog.scan().usable()).containsExactly(m);
    assertThat(catalog.isMarkedBad(m.id())).isTrue();
    assertThat(Files.readAllBytes(root.resolve("cache/20261122T110000Z/manifest.json")))
        .isEqualTo(manifestBefore);
    assertThat(Files.readString(root.resolve("cache/20261122T110000Z/" + BackupCatalog.BAD_MARKER)))
        .contains("CRC64");
    catalog.clearBad(m.id());
    assertThat(catalog.scan().knownBad()).isEmpty();
    catalog.markBad(m.id(), List.of("x"), T0);
    catalog.delete(m);
    assertThat(root.resolve("cache/20261122T110000Z")).doesNotExist();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"../x", "a/b", "..", ".hidden", "-dash", "a b", "x/"})
  void invalidDatasetNamesAreRefused(String name) {
    RedisOpsException e =
        catchThrowableOfType(RedisOpsException.class, () -> new BackupCatalog(repo(), name));
    assertThat(e).isNotNull();
    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(e.getMessage()).contains("dataset name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cache", "127.0.0.1-6379", "my_master", "A"})
  void validDatasetNames(String name) {
    assertThat(BackupCatalog.checkDataset(name)).isEqualTo(name);
  }

  @Test
  void datasetsAreFoldersWithAtLeastOneCompleteBackup() throws IOException {
    LocalRepository repo = repo();
    store(new BackupCatalog(repo, "sessions"), "20261122T110000Z", T0);
    store(new BackupCatalog(repo, "cache"), "20261122T110000Z", T0);
    store(new BackupCatalog(repo, "cache"), "20261122T120000Z", T0.plusSeconds(3600));
    put(repo, "incomplete/20261122T110000Z/dump.rdb.zst", "x");
    Files.writeString(root.resolve(".lock"), "1");

    assertThat(BackupCatalog.datasets(repo)).containsExactly("cache", "sessions");
    assertThat(BackupCatalog.datasets(new LocalRepository(root.resolve("none")))).isEmpty();
  }

  /**
   * A repository whose deletes of objects with a given name fail, as a full or read-only disk would
   * make them.
   */
  private static final class FailingDeletes extends ForwardingRepository {
    private final String failingName;
    final List<String> deleted = new java.util.ArrayList<>();

    FailingDeletes(Repository delegate, String failingName) {
      super(delegate);
      this.failingName = failingName;
    }

    @Override
    public void delete(String key) throws IOException {
      if (key.endsWith("/" + failingName)) {
        throw new IOException("unable to delete '" + key + "': read-only file system");
      }
      super.delete(key);
      deleted.add(key);
    }
  }
}
