package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.testkit.RedisServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input of every kind: one line on stderr starting {@code redis-ops: }, no stack trace, the
 * documented exit code, and the backup already in the repository untouched. Credentials work as an
 * ACL user and as the default user, with both capture methods, and are never printed or stored.
 */
class CliBadInputIT {
  private static final String DATASET = "it-bad";
  private static final String PASSWORD = "s3cret";
  private static final String ALICE_PASSWORD = "secret";

  @RegisterExtension
  static final RedisServerExtension plain = RedisServerExtension.builder().build();

  @RegisterExtension
  static final RedisServerExtension secured =
      RedisServerExtension.builder()
          .password(PASSWORD)
          .aclUser("alice", ALICE_PASSWORD, "on", "~*", "&*", "+@all")
          .config("repl-diskless-sync-delay", "0")
          .build();

  @TempDir static Path tmp;

  static Path repo;
  static Map<String, String> goodState;

  @BeforeAll
  static void oneGoodBackup() {
    plain.sync().set("k1", "v1");
    plain.sync().set("k2", "v2");
    secured.sync().set("secured:key", "value");
    repo = tmp.resolve("repo");
    RedisOpsProcess.Result r =
        RedisOpsProcess.run(
            "--redis", plain.uri(), "--repo", repo.toString(), "--dataset", DATASET, "backup");
    assertThat(r.exitCode()).as(r.describe()).isZero();
    goodState = RepoTree.fingerprint(repo);
    assertThat(goodState.keySet())
        .anyMatch(k -> k.endsWith("/manifest.json"))
        .anyMatch(k -> k.endsWith("/dump.rdb.zst"));
  }

  /**
   * A case: its name, the expected exit code, the arguments, and a text the error line must contain
   * (or null).
   */
  record Case(String name, int exit, List<String> args, String mentions, Map<String, String> env) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() throws Exception {
    Path file = tmp.resolve("file");
    Files.writeString(file, "a regular file, so nothing can be created below it, even by root\n");
    Path badConfig = tmp.resolve("bad.yaml");
    Files.writeString(badConfig, "repository:\n  path: " + repo + "\n  colour: blue\n");
    String repoArg = repo.toString();
    int nothingThere = RedisOpsProcess.freePort();
    return Stream.of(
        new Case(
            "unreachable Redis",
            1,
            List.of(
                "--redis",
                "redis://127.0.0.1:" + nothingThere,
                "--repo",
                repoArg,
                "--dataset",
                DATASET,
                "backup"),
            "127.0.0.1:" + nothingThere,
            Map.of()),
        new Case(
            "wrong password",
            2,
            List.of(
                "--redis",
                "redis://:wr0ngpass@127.0.0.1:" + secured.port(),
                "--repo",
                repoArg,
                "--dataset",
                DATASET,
                "backup"),
            "credentials",
            Map.of()),
        new Case(
            "wrong password from the environment",
            2,
            List.of(
                "--redis",
                "redis://127.0.0.1:" + secured.port(),
                "--repo",
                repoArg,
                "--dataset",
                DATASET,
                "backup"),
            "credentials",
            Map.of("REDIS_OPS_REDIS_PASSWORD", "wr0ngpass")),
        new Case(
            "ACL user with a wrong password",
            2,
            List.of(
                "--redis",
                "redis://alice:wr0ngpass@127.0.0.1:" + secured.port(),
                "--repo",
                repoArg,
                "--dataset",
                DATASET,
                "backup",
                "--method",
                "replication"),
            "alice",
            Map.of()),
        new Case(
            "repository below a regular file",
            2,
            List.of(
                "--redis",
                plain.uri(),
                "--repo",
                file.resolve("repo").toString(),
                "--dataset",
                DATASET,
                "backup"),
            file.toString(),
            Map.of()),
        new Case(
            "--tier weekly",
            2,
            List.of(
                "--redis",
                plain.uri(),
                "--repo",
                repoArg,
                "--dataset",
                DATASET,
                "backup",
                "--tier",
                "weekly"),
            "weekly",
            Map.of()),
        new Case(
            "--method foo",
            2,
            List.of(
                "--redis",
                plain.uri(),
                "--repo",
                repoArg,
                "--dataset",
                DATASET,
                "backup",
                "--method",
                "foo"),
            "foo",
            Map.of()),
        new Case(
            "unknown option",
            2,
            List.of(
                "--redis",
                plain.uri(),
                "--repo",
                repoArg,
                "--dataset",
                DATASET,
                "backup",
                "--no-such-option"),
            "--no-such-option",
            Map.of()),
        new Case(
            "unknown key in the config file",
            2,
            List.of(
                "-c", badConfig.toString(), "--redis", plain.uri(), "--dataset", DATASET, "backup"),
            "colour",
            Map.of()),
        new Case(
            "--redis ftp://x",
            2,
            List.of("--redis", "ftp://x", "--repo", repoArg, "--dataset", DATASET, "backup"),
            "ftp",
            Map.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badInputIsOneLineWithTheDocumentedExitCode(Case c) {
    RedisOpsProcess p = RedisOpsProcess.of(c.args().toArray(String[]::new));
    c.env().forEach(p::env);
    RedisOpsProcess.Result r = p.run(RedisOpsProcess.DEFAULT_TIMEOUT);

    assertThat(r.exitCode()).as(r.describe()).isEqualTo(c.exit());
    assertThat(r.stderrLines()).as(r.describe()).hasSize(1);
    String line = r.stderrLines().get(0);
    assertThat(line)
        .as(r.describe())
        .startsWith("redis-ops: ")
        .doesNotContain("Exception")
        .contains(c.mentions());
    assertThat(r.stderrLines()).noneMatch(l -> l.startsWith("\tat "));
    assertThat(r.stdout()).as(r.describe()).isEmpty();
    for (String secret : List.of(PASSWORD, ALICE_PASSWORD, "wr0ngpass")) {
      assertThat(r.stdout() + r.stderr()).as(r.describe()).doesNotContain(secret);
    }
    assertThat(RepoTree.fingerprint(repo))
        .as("the repository after: " + c.name())
        .isEqualTo(goodState);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("logins")
  void credentialsWorkAndAreNeverShown(String who, String method) throws Exception {
    String user = who.equals("alice") ? "alice" : "";
    String password = who.equals("alice") ? ALICE_PASSWORD : PASSWORD;
    Path okRepo = tmp.resolve("ok-" + who + "-" + method);
    RedisOpsProcess.Result r =
        RedisOpsProcess.run(
            "-v",
            "--redis",
            "redis://" + user + ":" + password + "@127.0.0.1:" + secured.port(),
            "--repo",
            okRepo.toString(),
            "--dataset",
            DATASET,
            "backup",
            "--method",
            method);
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.stdout()).as(r.describe()).startsWith("backup ").contains(method);
    assertThat(r.stderr()).as("-v logs something").isNotBlank();
    assertThat(r.stdout()).doesNotContain(PASSWORD).doesNotContain(ALICE_PASSWORD);
    assertThat(r.stderr()).doesNotContain(PASSWORD).doesNotContain(ALICE_PASSWORD);

    List<Path> manifests = new ArrayList<>();
    for (Path f : RepoTree.walk(okRepo)) {
      if (Files.isRegularFile(f) && f.getFileName().toString().equals("manifest.json")) {
        manifests.add(f);
        String text = Files.readString(f);
        assertThat(text).doesNotContain(PASSWORD).doesNotContain(ALICE_PASSWORD);
        assertThat(RepoTree.json(text).path("total_keys").asLong()).isEqualTo(1);
      }
    }
    assertThat(manifests).hasSize(1);

    // list --json with the same credentials prints no password either
    RedisOpsProcess.Result l =
        RedisOpsProcess.run(
            "--json",
            "--redis",
            "redis://" + user + ":" + password + "@127.0.0.1:" + secured.port(),
            "--repo",
            okRepo.toString(),
            "--dataset",
            DATASET,
            "list");
    assertThat(l.exitCode()).as(l.describe()).isZero();
    assertThat(l.stdout() + l.stderr()).doesNotContain(PASSWORD).doesNotContain(ALICE_PASSWORD);
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> logins() {
    return Stream.of("default", "alice")
        .flatMap(
            who ->
                Stream.of("bgsave", "replication")
                    .map(m -> org.junit.jupiter.params.provider.Arguments.of(who, m)));
  }

  @Test
  void theGoodBackupStillVerifies() {
    RedisOpsProcess.Result v =
        RedisOpsProcess.run(
            "--redis",
            plain.uri(),
            "--repo",
            repo.toString(),
            "--dataset",
            DATASET,
            "verify",
            "--all");
    assertThat(v.exitCode()).as(v.describe()).isZero();
    assertThat(v.stdoutLines()).hasSize(1).allMatch(l -> l.startsWith("OK"));
  }
}
