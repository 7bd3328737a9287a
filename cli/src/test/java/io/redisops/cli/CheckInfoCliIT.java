package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redisops.testkit.FreePorts;
import io.redisops.testkit.RedisServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's overview commands through the real jar: {@code check} on a good setup and on a
 * data directory this process cannot read; {@code list}, {@code verify --all}, {@code prune} and
 * {@code info} over a repository holding two datasets, {@code --dataset} narrowing them, and a
 * drill showing in {@code info}. The failing checks of S3 and ACL are shown in-JVM by {@code
 * CheckServiceIT}.
 */
class CheckInfoCliIT {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.builder().build();

  @TempDir static Path tmp;

  static Path repo;

  @BeforeAll
  static void twoDatasets() {
    redis.sync().set("k1", "v1");
    redis.sync().set("k2", "v2");
    repo = tmp.resolve("repo");
    for (String dataset : List.of("alpha", "beta")) {
      RedisOpsProcess.Result b =
          RedisOpsProcess.run(
              "--redis", redis.uri(), "--repo", repo.toString(), "--dataset", dataset, "backup");
      assertThat(b.exitCode()).as(b.describe()).isZero();
    }
  }

  private static String[] repoCli(String... args) {
    List<String> all = new ArrayList<>(List.of("--repo", repo.toString()));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  private static List<String> datasetsOf(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false)
        .map(n -> n.path("dataset").asText())
        .toList();
  }

  @Test
  void listVerifyPruneAndInfoCoverEveryDatasetUnlessOneIsNamed() {
    RedisOpsProcess.Result list = RedisOpsProcess.run(repoCli("list"));
    assertThat(list.exitCode()).as(list.describe()).isZero();
    assertThat(list.stdoutLines().get(0)).as(list.describe()).startsWith("DATASET");
    assertThat(list.stdout()).contains("alpha").contains("beta");

    RedisOpsProcess.Result alpha = RedisOpsProcess.run(repoCli("--dataset", "alpha", "list"));
    assertThat(alpha.exitCode()).as(alpha.describe()).isZero();
    assertThat(alpha.stdoutLines().get(0)).as("one dataset: as before").startsWith("ID");
    assertThat(alpha.stdout()).doesNotContain("beta");

    RedisOpsProcess.Result verify = RedisOpsProcess.run(repoCli("--json", "verify", "--all"));
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
    JsonNode v = RepoTree.json(verify.stdout());
    assertThat(datasetsOf(v.path("results"))).containsExactly("alpha", "beta");
    assertThat(v.path("dataset").isNull()).isTrue();

    RedisOpsProcess.Result prune = RedisOpsProcess.run(repoCli("--json", "prune"));
    assertThat(prune.exitCode()).as(prune.describe()).isZero();
    JsonNode p = RepoTree.json(prune.stdout());
    assertThat(datasetsOf(p.path("decisions"))).containsExactly("alpha", "beta");
    assertThat(p.path("datasets").toString()).isEqualTo("[\"alpha\",\"beta\"]");

    RedisOpsProcess.Result info = RedisOpsProcess.run(repoCli("--json", "info"));
    assertThat(info.exitCode()).as(info.describe()).isZero();
    JsonNode i = RepoTree.json(info.stdout());
    assertThat(datasetsOf(i.path("datasets"))).containsExactly("alpha", "beta");
    for (JsonNode d : i.path("datasets")) {
      assertThat(d.path("local").path("backups").asInt()).isEqualTo(1);
      assertThat(d.path("local").path("bytes").asLong()).isPositive();
      assertThat(d.path("local").path("newest").path("tiers").toString()).isEqualTo("[\"manual\"]");
      assertThat(d.path("local").path("newest").path("age_seconds").asLong()).isNotNegative();
      assertThat(d.has("newest_drill")).as("null until a drill, below").isTrue();
      assertThat(d.path("newest_drill").isNull()).isTrue();
      assertThat(d.path("offsite").isNull()).isTrue();
    }

    // a drill of alpha's backup is info's newest_drill of alpha; --dataset narrows info to it
    RedisOpsProcess.Result drill =
        RedisOpsProcess.run(
            "--redis",
            redis.uri(),
            "--repo",
            repo.toString(),
            "--dataset",
            "alpha",
            "drill",
            "--latest");
    assertThat(drill.exitCode()).as(drill.describe()).isZero();
    RedisOpsProcess.Result one =
        RedisOpsProcess.run(repoCli("--json", "--dataset", "alpha", "info"));
    assertThat(one.exitCode()).as(one.describe()).isZero();
    JsonNode alphaInfo = RepoTree.json(one.stdout()).path("datasets");
    assertThat(datasetsOf(alphaInfo)).containsExactly("alpha");
    assertThat(alphaInfo.get(0).path("newest_drill").path("result").asText()).isEqualTo("pass");
    assertThat(alphaInfo.get(0).path("newest_drill").path("backup_id").asText())
        .isEqualTo(alphaInfo.get(0).path("local").path("newest").path("id").asText());

    // a dataset named on the command line without backups: the message names those that have some
    RedisOpsProcess.Result gamma = RedisOpsProcess.run(repoCli("--dataset", "gamma", "list"));
    assertThat(gamma.exitCode()).as(gamma.describe()).isZero();
    assertThat(gamma.stdout())
        .contains("no backups of gamma in " + repo)
        .contains("it holds backups of alpha, beta");
  }

  private Path config() throws Exception {
    return Files.writeString(
        tmp.resolve("check.yaml"),
        String.join(
            "\n",
            "datasets:",
            "  - name: alpha",
            "    redis: {uri: \"" + redis.uri() + "\"}",
            "repository: {path: \"" + repo + "\"}",
            "http: {listen: \"127.0.0.1:" + FreePorts.next() + "\"}",
            ""));
  }

  @Test
  void checkPassesOnAGoodSetupAndNamesAnUnreadableDataDirectory() throws Exception {
    Path cfg = config();
    RedisOpsProcess.Result good = RedisOpsProcess.run("-c", cfg.toString(), "--json", "check");
    assertThat(good.exitCode()).as(good.describe()).isZero();
    JsonNode doc = RepoTree.json(good.stdout());
    assertThat(doc.path("fail").asInt()).as(good.stdout()).isZero();
    List<String> checks =
        StreamSupport.stream(doc.path("checks").spliterator(), false)
            .map(n -> n.path("check").asText())
            .toList();
    assertThat(checks)
        .contains(
            "configuration",
            "redis alpha",
            "data-dir alpha",
            "repository",
            "repository-space",
            "redis-check-aof",
            "http-listen");

    // Root reads any folder whatever its mode: the check runs without the capabilities that let it
    // (setpriv drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH), so mode 000 is unreadable to it.
    Path dir = redis.dir();
    Set<PosixFilePermission> before = Files.getPosixFilePermissions(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("---------"));
    try {
      RedisOpsProcess p = RedisOpsProcess.of("-c", cfg.toString(), "check", "--method", "bgsave");
      if ("root".equals(System.getProperty("user.name"))) {
        p.wrap(
            "setpriv",
            "--bounding-set",
            "-dac_override,-dac_read_search",
            "--inh-caps",
            "-dac_override,-dac_read_search");
      }
      RedisOpsProcess.Result bad = p.run(RedisOpsProcess.DEFAULT_TIMEOUT);
      assertThat(bad.exitCode()).as(bad.describe()).isEqualTo(1);
      assertThat(bad.stdoutLines())
          .as(bad.describe())
          .anyMatch(
              l ->
                  l.startsWith("FAIL")
                      && l.contains("data-dir alpha")
                      && l.contains("not readable from here"));
      assertThat(bad.stderrLines().get(bad.stderrLines().size() - 1))
          .startsWith("redis-ops: 1 check(s) failed: data-dir alpha");
    } finally {
      Files.setPosixFilePermissions(dir, before);
    }
  }

  @Test
  void aDatasetsConfiguredMethodIsWhatBackupAndCheckUseWithoutMethod() throws Exception {
    // The server is on this host with a readable data directory: auto would take bgsave.
    redis.sync().configSet("repl-diskless-sync-delay", "0");
    Path cfg =
        Files.writeString(
            tmp.resolve("method.yaml"),
            String.join(
                "\n",
                "datasets:",
                "  - name: alpha",
                "    method: replication",
                "    redis: {uri: \"" + redis.uri() + "\"}",
                "repository: {path: \"" + tmp.resolve("repo-method") + "\"}",
                ""));

    RedisOpsProcess.Result check = RedisOpsProcess.run("-c", cfg.toString(), "--json", "check");
    JsonNode doc = RepoTree.json(check.stdout());
    assertThat(doc.path("method").asText()).as(check.describe()).isEqualTo("replication");
    JsonNode dataDir =
        StreamSupport.stream(doc.path("checks").spliterator(), false)
            .filter(n -> n.path("check").asText().equals("data-dir alpha"))
            .findFirst()
            .orElseThrow();
    assertThat(dataDir.path("level").asText()).isEqualTo("PASS");
    assertThat(dataDir.path("reason").asText()).contains("not needed");

    RedisOpsProcess.Result backup = RedisOpsProcess.run("-c", cfg.toString(), "--json", "backup");
    assertThat(backup.exitCode()).as(backup.describe()).isZero();
    assertThat(RepoTree.json(backup.stdout()).path("backup").path("method").asText())
        .isEqualTo("replication");
    // --method still wins over the file
    RedisOpsProcess.Result bgsave =
        RedisOpsProcess.run("-c", cfg.toString(), "--json", "backup", "--method", "bgsave");
    assertThat(bgsave.exitCode()).as(bgsave.describe()).isZero();
    assertThat(RepoTree.json(bgsave.stdout()).path("backup").path("method").asText())
        .isEqualTo("bgsave");
  }
}
