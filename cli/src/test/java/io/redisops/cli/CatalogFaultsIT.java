package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redisops.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, items 2 and 3, with the real jar and real backups of a real Redis: damaged catalogs are
 * named and never lead outside the repository, and retention never deletes the newest backup that
 * is not known bad.
 */
class CatalogFaultsIT {
  private static final String DATASET = "it-catalog";
  private static final Pattern BACKUP_LINE = Pattern.compile("^backup (\\S+) of .*");

  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.builder().build();

  @TempDir Path tmp;

  @BeforeAll
  static void fill() {
    for (int i = 0; i < 300; i++) {
      redis.sync().set("key:" + i, "value-" + i);
    }
  }

  private String[] cli(Path repo, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of("--redis", redis.uri(), "--repo", repo.toString(), "--dataset", DATASET));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  private String backup(Path repo, String... args) {
    RedisOpsProcess.Result b = RedisOpsProcess.run(cli(repo, concat("backup", args)));
    assertThat(b.exitCode()).as(b.describe()).isZero();
    Matcher m = BACKUP_LINE.matcher(b.stdoutLines().get(0));
    assertThat(m.matches()).as(b.describe()).isTrue();
    return m.group(1);
  }

  private static String[] concat(String first, String... rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }

  @Test
  void everyUnusableBackupIsNamedTheOthersAreCheckedAndNothingOutsideTheRepositoryIsTouched()
      throws Exception {
    Path repo = tmp.resolve("repo");
    String good = backup(repo);
    String truncated = backup(repo);
    String missing = backup(repo);
    String escaping = backup(repo);
    Path ds = repo.resolve(DATASET);
    // a truncated manifest.json
    Path tm = ds.resolve(truncated).resolve("manifest.json");
    byte[] full = Files.readAllBytes(tm);
    Files.write(tm, java.util.Arrays.copyOf(full, full.length / 2));
    // a missing data file
    Files.delete(ds.resolve(missing).resolve("dump.rdb.zst"));
    // a manifest whose object lies outside the repository: a real backup object, so reading it
    // would "work"
    Path outside = tmp.resolve("outside");
    Files.createDirectories(outside);
    Path canary = outside.resolve("victim.zst");
    Files.copy(ds.resolve(good).resolve("dump.rdb.zst"), canary);
    String canarySha = RepoTree.sha256(canary);
    Path em = ds.resolve(escaping).resolve("manifest.json");
    ObjectNode manifest = (ObjectNode) RepoTree.json(em);
    manifest.put("object", "../../../outside/victim.zst");
    Files.writeString(em, manifest.toString());
    Files.delete(ds.resolve(escaping).resolve("dump.rdb.zst"));
    List<String> unusable = List.of(truncated, missing, escaping);

    // verify --all: exit 3, every unusable one named, the good one still checked
    RedisOpsProcess.Result all = RedisOpsProcess.run(cli(repo, "verify", "--all"));
    assertThat(all.exitCode()).as(all.describe()).isEqualTo(3);
    assertThat(all.stdoutLines()).as(all.describe()).contains("OK   " + good);
    for (String id : unusable) {
      assertThat(all.stdoutLines())
          .as(all.describe())
          .anyMatch(l -> l.startsWith("BAD  " + id + ": "));
    }
    String last = all.stderrLines().get(all.stderrLines().size() - 1);
    assertThat(last)
        .as(all.describe())
        .startsWith("redis-ops: 3 of 4 backup(s) failed verification")
        .contains(truncated)
        .contains(missing)
        .contains(escaping)
        .doesNotContain("Exception");
    assertThat(all.stdout() + all.stderr()).doesNotContain("IllegalArgumentException");

    // verify ID and show ID of an unusable backup: exit 3 with the reason, not "no backup" (4)
    RedisOpsProcess.Result one = RedisOpsProcess.run(cli(repo, "verify", truncated));
    assertThat(one.exitCode()).as(one.describe()).isEqualTo(3);
    assertThat(one.stdout()).contains("truncated");
    RedisOpsProcess.Result show = RedisOpsProcess.run(cli(repo, "show", escaping));
    assertThat(show.exitCode()).as(show.describe()).isEqualTo(3);
    assertThat(show.stderrLines())
        .as(show.describe())
        .last()
        .asString()
        .contains("unusable")
        .contains("not a file of the backup's folder");

    // list marks them (table and JSON)
    RedisOpsProcess.Result list = RedisOpsProcess.run(cli(repo, "list"));
    assertThat(list.exitCode()).as(list.describe()).isZero();
    for (String id : unusable) {
      assertThat(list.stdoutLines())
          .as(list.describe())
          .anyMatch(l -> l.startsWith(id) && l.contains("UNUSABLE"));
    }
    assertThat(list.stdoutLines())
        .anyMatch(l -> l.startsWith(missing + " (local): UNUSABLE: its data file"));
    JsonNode lj = RepoTree.json(RedisOpsProcess.run(cli(repo, "--json", "list")).stdout());
    assertThat(lj.path("backups")).hasSize(1);
    assertThat(lj.path("unusable")).hasSize(3);

    // prune never deletes outside the repository (nor the unusable backups, which retention does
    // not judge)
    RedisOpsProcess.Result prune = RedisOpsProcess.run(cli(repo, "prune"));
    assertThat(prune.exitCode()).as(prune.describe()).isZero();
    assertThat(canary).exists();
    assertThat(RepoTree.sha256(canary)).isEqualTo(canarySha);
    for (String id : unusable) {
      assertThat(ds.resolve(id).resolve("manifest.json")).exists();
    }

    // delete removes an unusable backup's folder only
    RedisOpsProcess.Result del = RedisOpsProcess.run(cli(repo, "delete", escaping, "--yes"));
    assertThat(del.exitCode()).as(del.describe()).isZero();
    assertThat(ds.resolve(escaping)).doesNotExist();
    assertThat(canary).exists();
    assertThat(RepoTree.sha256(canary)).isEqualTo(canarySha);
    assertThat(ds.resolve(good).resolve("manifest.json")).exists();
  }

  @Test
  void retentionKeepsTheNewestGoodBackupOnceVerifyFoundTheNewestBad() throws Exception {
    Path repo = tmp.resolve("repo-retention");
    String old = backup(repo, "--tier", "hourly");
    String newest = backup(repo, "--tier", "hourly");
    Path ds = repo.resolve(DATASET);
    // the older backup is a 3-day-old hourly: past its 48 h
    Path oldManifest = ds.resolve(old).resolve("manifest.json");
    ObjectNode m = (ObjectNode) RepoTree.json(oldManifest);
    m.put("snapshot_time", Instant.now().minus(Duration.ofDays(3)).toString());
    Files.writeString(oldManifest, m.toString());
    // the newest is damaged: one flipped byte
    Path object = ds.resolve(newest).resolve("dump.rdb.zst");
    RepoTree.flipByte(object, Files.size(object) / 2);
    Path newestManifest = ds.resolve(newest).resolve("manifest.json");
    byte[] manifestBefore = Files.readAllBytes(newestManifest);

    // before anyone knows: the premise of the issue (the old one would go)
    RedisOpsProcess.Result dry = RedisOpsProcess.run(cli(repo, "prune", "--dry-run"));
    assertThat(dry.stdout()).as(dry.describe()).contains("would delete " + old);

    RedisOpsProcess.Result verify = RedisOpsProcess.run(cli(repo, "verify", "--all"));
    assertThat(verify.exitCode()).as(verify.describe()).isEqualTo(3);
    assertThat(verify.stdoutLines()).anyMatch(l -> l.startsWith("BAD  " + newest));
    // marked beside the manifest, whose checksums are untouched
    assertThat(ds.resolve(newest).resolve("known-bad.json")).isRegularFile();
    assertThat(Files.readAllBytes(newestManifest)).isEqualTo(manifestBefore);

    RedisOpsProcess.Result list = RedisOpsProcess.run(cli(repo, "list"));
    assertThat(list.stdoutLines())
        .as(list.describe())
        .anyMatch(l -> l.startsWith(newest) && l.matches(".* local +BAD +.*"));
    assertThat(list.stdoutLines())
        .anyMatch(l -> l.startsWith(old) && l.matches(".* local +ok +.*"));

    RedisOpsProcess.Result prune = RedisOpsProcess.run(cli(repo, "prune"));
    assertThat(prune.exitCode()).as(prune.describe()).isZero();
    assertThat(prune.stdoutLines())
        .as(prune.describe())
        .anyMatch(
            l ->
                l.startsWith("keep")
                    && l.contains(old)
                    && l.contains("newest backup not known bad"));
    assertThat(oldManifest).exists();
    RedisOpsProcess.Result good = RedisOpsProcess.run(cli(repo, "verify", old));
    assertThat(good.exitCode()).as(good.describe()).isZero();

    // a new good backup takes over as the newest; the 3-day-old one may go then
    String next = backup(repo, "--tier", "hourly");
    assertThat(oldManifest).doesNotExist();
    assertThat(ds.resolve(next).resolve("manifest.json")).exists();
    assertThat(
            Files.readString(ds.resolve(newest).resolve("known-bad.json"), StandardCharsets.UTF_8))
        .contains("problems");
  }
}
