package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redisops.testkit.Await;
import io.redisops.testkit.ProcessRegistry;
import io.redisops.testkit.RedisServerExtension;
import io.redisops.testkit.S3ProxyExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, items 12, 13, 15, 16, 17 and 19, with the real jar as a process: errors that tell the
 * truth (one line on stderr, the documented exit code, one JSON document with --json), leftovers
 * cleaned up, the smaller contracts.
 */
class CliFaultsIT {
  private static final String DATASET = "it-faults";
  private static final Pattern BACKUP_LINE = Pattern.compile("^backup (\\S+) of .*");
  private static final String NOBODY = "65534";

  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.builder().build();

  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();

  @TempDir Path tmp;

  @BeforeAll
  static void fill() {
    // about 12 MB of poorly compressible values, so that a fetch takes long enough to be killed
    // midway
    Random random = new Random(13);
    Map<String, String> batch = new HashMap<>();
    for (int i = 0; i < 12_000; i++) {
      byte[] v = new byte[1000];
      for (int j = 0; j < v.length; j++) {
        v[j] = (byte) ('!' + random.nextInt(90));
      }
      batch.put("key:" + i, new String(v, StandardCharsets.US_ASCII));
      if (batch.size() == 500) {
        redis.sync().mset(batch);
        batch.clear();
      }
    }
  }

  private String[] cli(Path repo, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of("--redis", redis.uri(), "--repo", repo.toString(), "--dataset", DATASET));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  private static String backupId(RedisOpsProcess.Result b) {
    assertThat(b.exitCode()).as(b.describe()).isZero();
    Matcher m = BACKUP_LINE.matcher(b.stdoutLines().get(0));
    assertThat(m.matches()).as(b.describe()).isTrue();
    return m.group(1);
  }

  /**
   * The error contract: the exit code, one line on stderr starting "redis-ops: ", no stack trace.
   */
  private static String oneLineError(RedisOpsProcess.Result r, int exit) {
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(exit);
    List<String> err = r.stderrLines().stream().filter(l -> l.startsWith("redis-ops: ")).toList();
    assertThat(err).as(r.describe()).hasSize(1);
    assertThat(r.stderr()).as(r.describe()).doesNotContain("\tat ").doesNotContain("Exception:");
    return err.get(0);
  }

  // ---- item 12: an unreadable repository is "permission denied on <path>", exit 2, never "no
  // backups"

  @Test
  void anUnreadableRepositoryIsPermissionDeniedNotEmpty() throws Exception {
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path repo = tmp.resolve("private-repo");
    backupId(RedisOpsProcess.run(cli(repo, "backup")));
    Files.setPosixFilePermissions(repo, PosixFilePermissions.fromString("rwx------"));

    for (String[] command :
        List.of(
            new String[] {"list"},
            new String[] {"verify"},
            new String[] {"prune"},
            new String[] {"backup"},
            new String[] {"--json", "list"})) {
      RedisOpsProcess.Result r =
          RedisOpsProcess.of(cli(repo, command))
              .wrap("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups")
              .run(Duration.ofSeconds(90));
      String line = oneLineError(r, 2);
      assertThat(line)
          .as(r.describe())
          .contains("permission denied on " + repo)
          .doesNotContain("no backups");
      if (command[0].equals("--json")) {
        JsonNode doc = RepoTree.json(r.stdout());
        assertThat(doc.path("exit_code").asInt()).isEqualTo(2);
        assertThat(doc.path("error").asText()).contains("permission denied on " + repo);
      }
    }
  }

  // ---- items 13 and 17: fetch into a folder, and the leftovers of a killed fetch

  private Path offsiteConfig(String bucket) throws Exception {
    s3.createBucket(bucket);
    Path f = tmp.resolve(bucket + ".yaml");
    Files.writeString(
        f,
        String.join(
            "\n",
            "datasets:",
            "  - name: " + DATASET,
            "    redis:",
            "      uri: " + redis.uri(),
            "repository:",
            "  path: " + tmp.resolve("repo-" + bucket),
            "offsite:",
            "  uri: s3://" + bucket + "/redis",
            "  endpoint: " + s3.endpoint(),
            "  path-style: true",
            "  credentials: env",
            ""));
    return f;
  }

  private static RedisOpsProcess withS3(String... args) {
    return RedisOpsProcess.of(args)
        .env("REDIS_OPS_S3_ACCESS_KEY_ID", s3.accessKey())
        .env("REDIS_OPS_S3_SECRET_ACCESS_KEY", s3.secretKey());
  }

  private static List<Path> parts(Path dir, String name) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("." + name + ".part-")).toList();
    }
  }

  @Test
  void fetchIntoAFolderIsRefusedAtOnceAndAKilledFetchLeavesNothingForTheNext() throws Exception {
    Path cfg = offsiteConfig("fetch");
    String id = backupId(withS3("-c", cfg.toString(), "backup").run(Duration.ofMinutes(2)));
    RedisOpsProcess.Result push = withS3("-c", cfg.toString(), "push").run(Duration.ofMinutes(2));
    assertThat(push.exitCode()).as(push.describe()).isZero();

    // a folder as --output: exit 2 before anything is downloaded (nothing appears in the folder)
    Path folder = Files.createDirectories(tmp.resolve("into-folder"));
    RedisOpsProcess.Result dir =
        withS3("-c", cfg.toString(), "fetch", id, "-o", folder.toString())
            .run(Duration.ofSeconds(60));
    assertThat(oneLineError(dir, 2)).contains(folder.toString()).contains("is a folder");
    assertThat(dir.stderr()).doesNotContain("damaged");
    try (Stream<Path> s = Files.list(folder)) {
      assertThat(s.toList()).isEmpty();
    }
    // with --json: exactly one JSON document on stdout (item 16)
    RedisOpsProcess.Result dirJson =
        withS3("-c", cfg.toString(), "--json", "fetch", id, "-o", folder.toString())
            .run(Duration.ofSeconds(60));
    assertThat(dirJson.exitCode()).isEqualTo(2);
    assertThat(RepoTree.json(dirJson.stdout()).path("exit_code").asInt()).isEqualTo(2);

    // kill -9 during the download: the hidden part file stays behind...
    Path target = tmp.resolve("fetched.rdb");
    boolean killedMidway = false;
    for (int attempt = 0; attempt < 3 && !killedMidway; attempt++) {
      try (RedisOpsProcess.Background fetch =
          withS3("-c", cfg.toString(), "fetch", id, "-o", target.toString()).start()) {
        Await.until(
            Duration.ofSeconds(60),
            "a part file or the end of the fetch",
            () -> !fetch.isAlive() || !partsQuietly(target).isEmpty());
        if (fetch.isAlive()) {
          fetch.kill9();
          killedMidway = !parts(tmp, "fetched.rdb").isEmpty();
        }
      }
      Files.deleteIfExists(target);
    }
    if (!killedMidway) {
      // the download always won the race on this machine: leave the same leftover a kill leaves
      System.err.println(
          "CliFaultsIT: fetch finished before it could be killed; simulating its leftover");
      Files.write(tmp.resolve(".fetched.rdb.part-0badf00d"), new byte[4096]);
    }
    assertThat(parts(tmp, "fetched.rdb")).isNotEmpty();
    // ...and the next fetch into the same file removes it, and says so
    RedisOpsProcess.Result again =
        withS3("-c", cfg.toString(), "fetch", id, "-o", target.toString())
            .run(Duration.ofMinutes(2));
    assertThat(again.exitCode()).as(again.describe()).isZero();
    assertThat(again.stderr()).contains("left by an interrupted fetch");
    assertThat(parts(tmp, "fetched.rdb")).isEmpty();
    assertThat(target).isRegularFile();
  }

  private List<Path> partsQuietly(Path target) {
    try {
      return parts(target.getParent(), target.getFileName().toString());
    } catch (Exception e) {
      return List.of();
    }
  }

  // ---- item 15: messages that name the thing and what to do

  @Test
  void badInputIsOneClearLineWithoutInternals() throws Exception {
    Path repo = tmp.resolve("repo-input");
    String id = backupId(RedisOpsProcess.run(cli(repo, "backup")));

    Path list = tmp.resolve("list.yaml");
    Files.writeString(list, "- name: cache\n- name: other\n");
    String yaml = oneLineError(RedisOpsProcess.run("-c", list.toString(), "list"), 2);
    assertThat(yaml)
        .contains(list.toString())
        .contains("must be a mapping of keys")
        .doesNotContain("deserialize")
        .doesNotContain("io.redisops")
        .doesNotContain("JsonToken");

    String port =
        oneLineError(
            RedisOpsProcess.run(
                "--redis", "redis://127.0.0.1:abc", "--repo", repo.toString(), "backup"),
            2);
    assertThat(port).contains("port that is not a number").doesNotContain("has no host");

    // a missing password file blocks only what logs in
    Path cfg = tmp.resolve("pw.yaml");
    Path missing = tmp.resolve("no-such.pass");
    Files.writeString(
        cfg,
        "datasets:\n  - name: "
            + DATASET
            + "\n    redis:\n      uri: "
            + redis.uri()
            + "\n      password-file: "
            + missing
            + "\nrepository:\n  path: "
            + repo
            + "\n");
    RedisOpsProcess.Result l = RedisOpsProcess.run("-c", cfg.toString(), "list");
    assertThat(l.exitCode()).as(l.describe()).isZero();
    assertThat(l.stdout()).contains(id);
    String pw = oneLineError(RedisOpsProcess.run("-c", cfg.toString(), "backup"), 2);
    assertThat(pw)
        .contains("password-file")
        .contains(missing.toString())
        .contains("does not exist")
        .doesNotContain("NoSuchFileException");

    // rediss:// to a plain server: named as such at once, not reported as the handshake timing out
    RedisOpsProcess.Result tls =
        RedisOpsProcess.run(
            "--redis",
            "rediss://127.0.0.1:" + redis.port(),
            "--repo",
            repo.toString(),
            "--dataset",
            DATASET,
            "backup");
    assertThat(oneLineError(tls, 2)).contains("speaks plain Redis, not TLS").contains("redis://");
    assertThat(tls.stderr()).doesNotContain("timed out");
  }

  @Test
  void aBackupWhileRedisLoadsSaysItIsLoading() throws Exception {
    // a server that loads a dump slowly (key-load-delay, microseconds per key) for long enough to
    // try a backup, and
    // answers (LOADING) between keys as a real large load does between its 2 MB steps
    Path dir = Files.createDirectories(tmp.resolve("loading"));
    redis.sync().save();
    Files.copy(redis.dir().resolve("dump.rdb"), dir.resolve("dump.rdb"));
    int port = RedisOpsProcess.freePort();
    Process server =
        new ProcessBuilder(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--key-load-delay",
                "5000",
                "--loading-process-events-interval-bytes",
                "1024",
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("log").toFile())
            .start();
    ProcessRegistry.register(server.toHandle());
    try {
      Await.until(
          Duration.ofSeconds(30),
          "the server answers LOADING",
          () -> ping(port).startsWith("-LOADING"));
      RedisOpsProcess.Result b =
          RedisOpsProcess.run(
              "--redis",
              "redis://127.0.0.1:" + port,
              "--repo",
              tmp.resolve("repo-loading").toString(),
              "--dataset",
              "loading",
              "backup");
      String line = oneLineError(b, 1);
      assertThat(line).contains("still loading its dataset").contains("try again");
      assertThat(ping(port)).as("still loading: the check was not vacuous").startsWith("-LOADING");
    } finally {
      server.destroyForcibly().waitFor();
      ProcessRegistry.unregister(server.toHandle());
    }
  }

  private static String ping(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[256];
      int n = in.read(buf);
      return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
    } catch (Exception e) {
      return "";
    }
  }

  // ---- items 15 and 17: a full disk names the path; a failed manifest write leaves no backup
  // folder

  /**
   * Runs a backup into a tmpfs of {@code bytes} mounted over {@code repo} in a private mount
   * namespace.
   */
  private RedisOpsProcess.Result backupOnTmpfs(Path repo, long bytes) throws Exception {
    Files.createDirectories(repo);
    String script =
        "mount -t tmpfs -o size="
            + bytes
            + ",mode=0700 tmpfs \"$0\" || exit 99; \"$@\"; rc=$?;"
            + " echo '--- left on disk:'; find \"$0\" -mindepth 2 -not -name .lock | sort; exit $rc";
    return RedisOpsProcess.of(cli(repo, "backup"))
        .wrap("unshare", "-m", "sh", "-c", script, repo.toString())
        .run(Duration.ofMinutes(2));
  }

  @Test
  void aFullDiskNamesThePathAndAFailedManifestWriteLeavesNothing() throws Exception {
    Path repo = tmp.resolve("small");
    RedisOpsProcess.Result tiny = backupOnTmpfs(repo, 64 * 1024);
    assertThat(tiny.exitCode()).as(tiny.describe()).isNotEqualTo(99);
    String line = oneLineError(tiny, 1);
    assertThat(line)
        .contains(repo.toString())
        .contains("no space left on device")
        .contains("KiB free");
    assertThat(
            tiny.stdout()
                .substring(tiny.stdout().indexOf("--- left on disk:"))
                .lines()
                .skip(1)
                .toList())
        .isEmpty();

    // room for the data (and the lock file) but not for the manifest: the data goes at once, not at
    // the next run.
    // The sizing needs an object that does not end close to a page boundary (the manifest must not
    // fit in the
    // object's last page): when it does, a key of incompressible bytes moves the end, and the
    // sizing runs again.
    long stored = -1;
    for (int attempt = 0; attempt < 8; attempt++) {
      Path sizing = tmp.resolve("sizing-" + attempt);
      RedisOpsProcess.Result b = RedisOpsProcess.run(cli(sizing, "--json", "backup"));
      assertThat(b.exitCode()).as(b.describe()).isZero();
      stored = RepoTree.json(b.stdout()).at("/backup/stored_size").asLong(-1);
      if (stored < 0) {
        stored = RepoTree.json(b.stdout()).at("/stored_size").asLong();
      }
      if (stored % 4096 >= 64 && stored % 4096 <= 4096 - 64) {
        break;
      }
      byte[] noise = new byte[700];
      new java.util.Random(attempt).nextBytes(noise);
      redis.sync().set("sizing-noise-" + attempt, java.util.HexFormat.of().formatHex(noise));
    }
    long pages = (stored + 4095) / 4096;
    assertThat(stored % 4096)
        .as("no sizing ended away from a page boundary (stored %d)", stored)
        .isBetween(64L, 4096L - 64L);
    Path repo2 = tmp.resolve("almost");
    RedisOpsProcess.Result noManifest = backupOnTmpfs(repo2, (pages + 1) * 4096);
    String err = oneLineError(noManifest, 1);
    assertThat(err).contains("manifest.json").contains("no space left on device");
    List<String> left =
        noManifest
            .stdout()
            .substring(noManifest.stdout().indexOf("--- left on disk:"))
            .lines()
            .skip(1)
            .toList();
    assertThat(left).as(noManifest.describe()).isEmpty();
    assertThat(noManifest.stderr()).contains("its data was removed");
  }

  // ---- item 16: --json on errors

  @Test
  void jsonErrorsAreOneDocumentAndDaemonRefusesJson() throws Exception {
    Path repo = tmp.resolve("repo-json");
    backupId(RedisOpsProcess.run(cli(repo, "backup")));
    RedisOpsProcess.Result v =
        RedisOpsProcess.run(cli(repo, "--json", "verify", "20000101T000000Z"));
    assertThat(v.exitCode()).isEqualTo(4);
    JsonNode doc = RepoTree.json(v.stdout());
    assertThat(doc.path("exit_code").asInt()).isEqualTo(4);
    assertThat(doc.path("error").asText()).contains("20000101T000000Z");
    assertThat(v.stdoutLines()).hasSize(1);

    RedisOpsProcess.Result parse =
        RedisOpsProcess.run(cli(repo, "--json", "list", "--where", "nowhere"));
    assertThat(parse.exitCode()).isEqualTo(2);
    assertThat(RepoTree.json(parse.stdout()).path("exit_code").asInt()).isEqualTo(2);

    RedisOpsProcess.Result daemon = RedisOpsProcess.run(cli(repo, "--json", "daemon"));
    assertThat(oneLineError(daemon, 2)).contains("daemon does not take --json");
    assertThat(RepoTree.json(daemon.stdout()).path("exit_code").asInt()).isEqualTo(2);
  }

  // ---- item 19: the smaller contracts

  @Test
  void smallerContracts() throws Exception {
    RedisOpsProcess.Result none = RedisOpsProcess.run();
    assertThat(none.exitCode()).as(none.describe()).isEqualTo(2);
    assertThat(none.stderr()).contains("no command given").contains("backup");

    RedisOpsProcess.Result prune = RedisOpsProcess.run("prune", "--help");
    assertThat(prune.exitCode()).isZero();
    assertThat(prune.stdout())
        .contains("retention.hourly")
        .doesNotContain("48h")
        .doesNotContain("30d");
    RedisOpsProcess.Result watch = RedisOpsProcess.run("sentinel", "watch", "--help");
    assertThat(watch.stdout()).contains("stream").contains("one JSON object per line");

    RedisOpsProcess.Result version = RedisOpsProcess.run("--version");
    Process git =
        new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD")
            .directory(RedisOpsProcess.projectRoot().toFile())
            .redirectErrorStream(true)
            .start();
    String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(git.waitFor()).isZero();
    assertThat(version.stdoutLines()).as(version.describe()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(version.stdoutLines().get(0)).startsWith("redis-ops ");
    // the jar is built from the working tree: its commit is HEAD at build time, a 12-digit hash
    assertThat(version.stdoutLines().get(1)).matches("commit [0-9a-f]{12}");
    assertThat(head).matches("[0-9a-f]{12}");

    // scripts: Maven quiet and colourless; the benchmark online unless asked otherwise
    String quickstart = Files.readString(RedisOpsProcess.projectRoot().resolve("quickstart.sh"));
    assertThat(quickstart.lines().filter(l -> l.strip().startsWith("mvn ")))
        .allMatch(
            l ->
                l.contains(" -B")
                    && l.contains("--no-transfer-progress")
                    && l.contains("-Dstyle.color=never"));
    String bench = Files.readString(RedisOpsProcess.projectRoot().resolve("bench/run.sh"));
    // offline only when the local repository has everything: a refusal "in offline mode" builds
    // online
    assertThat(bench)
        .contains("BENCH_MVN_OFFLINE")
        .contains("grep -q \"in offline mode\"")
        .contains("./mvnw -B -q $mvn_quiet \"$@\"");

    // delete: consent, then gone
    Path repo = tmp.resolve("repo-delete");
    String keep = backupId(RedisOpsProcess.run(cli(repo, "backup")));
    String id = backupId(RedisOpsProcess.run(cli(repo, "backup")));
    Path folder = repo.resolve(DATASET).resolve(id);
    Map<String, String> before = RepoTree.fingerprint(repo);
    RedisOpsProcess.Result refused = RedisOpsProcess.run(cli(repo, "delete", id));
    assertThat(oneLineError(refused, 5)).contains("--yes");
    assertThat(refused.stdout()).contains("delete backup " + id).contains("newest backup");
    assertThat(RepoTree.fingerprint(repo)).isEqualTo(before);
    RedisOpsProcess.Result dry = RedisOpsProcess.run(cli(repo, "delete", id, "--dry-run"));
    assertThat(dry.exitCode()).isZero();
    assertThat(RepoTree.fingerprint(repo)).isEqualTo(before);
    assertThat(
            oneLineError(RedisOpsProcess.run(cli(repo, "delete", "20000101T000000Z", "--yes")), 4))
        .contains("no backup");
    RedisOpsProcess.Result yes = RedisOpsProcess.run(cli(repo, "delete", id, "--yes"));
    assertThat(yes.exitCode()).as(yes.describe()).isZero();
    assertThat(folder).doesNotExist();
    assertThat(repo.resolve(DATASET).resolve(keep).resolve("manifest.json")).exists();
  }
}
