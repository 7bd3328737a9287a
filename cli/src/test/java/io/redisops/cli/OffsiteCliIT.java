package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redisops.testkit.FreePorts;
import io.redisops.testkit.RedisServerExtension;
import io.redisops.testkit.S3ProxyExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The off-site commands as an operator runs them: the real jar in its own JVM, with its heap capped
 * at 128 MiB, against a real redis-server and the embedded S3Proxy.
 */
class OffsiteCliIT {
  @RegisterExtension
  static final RedisServerExtension redis = RedisServerExtension.builder().build();

  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();

  private static final Path JAR = Path.of("target", "redis-ops.jar").toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  record Run(int exit, String out, String err) {}

  private Run run(Map<String, String> env, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-jar",
                JAR.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectOutput(tmp.resolve("out.txt").toFile())
            .redirectError(tmp.resolve("err.txt").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("REDIS_OPS_"));
    pb.environment().putAll(env);
    long t0 = System.nanoTime();
    Process p = pb.start();
    try {
      if (!p.waitFor(3, TimeUnit.MINUTES)) {
        throw new AssertionError(
            "redis-ops " + String.join(" ", args) + " did not end within 3 minutes");
      }
    } finally {
      p.destroyForcibly();
    }
    System.err.printf(
        "redis-ops %s: exit %d in %d ms%n",
        String.join(" ", args), p.exitValue(), (System.nanoTime() - t0) / 1_000_000);
    return new Run(
        p.exitValue(),
        Files.readString(tmp.resolve("out.txt")),
        Files.readString(tmp.resolve("err.txt")));
  }

  private Map<String, String> credentials() {
    return Map.of(
        "REDIS_OPS_S3_ACCESS_KEY_ID",
        s3.accessKey(),
        "REDIS_OPS_S3_SECRET_ACCESS_KEY",
        s3.secretKey());
  }

  private Path config(String dataset, String bucket, String endpoint, String extra)
      throws IOException {
    Path f =
        tmp.resolve(dataset + "-" + bucket + "-" + Integer.toHexString(extra.hashCode()) + ".yaml");
    Files.writeString(
        f,
        String.join(
            "\n",
            "datasets:",
            "  - name: " + dataset,
            "    redis:",
            "      uri: " + redis.uri(),
            "repository:",
            "  path: " + tmp.resolve("repo"),
            "offsite:",
            "  uri: s3://" + bucket + "/redis",
            "  endpoint: " + endpoint,
            "  path-style: true",
            "  credentials: env",
            extra,
            ""));
    return f;
  }

  private Path config(String dataset, String bucket) throws IOException {
    return config(dataset, bucket, s3.endpoint().toString(), "");
  }

  private static void assertOneLine(Run r, int exit, String text) {
    assertThat(r.exit()).as(r.err()).isEqualTo(exit);
    assertThat(r.err().strip())
        .as("stderr")
        .doesNotContain("\n")
        .startsWith("redis-ops: ")
        .contains(text);
  }

  @Test
  void pushAndVerifiedFetchOfABackupOver100MiBWithA128MiBHeap() throws Exception {
    s3.createBucket("big");
    Path cfg = config("big", "big");
    setRandomValues(9, 105, 1024 * 1024);
    try {
      Run backup = run(Map.of(), "-c", cfg.toString(), "--json", "backup");
      assertThat(backup.exit()).as(backup.err()).isZero();
      JsonNode m = JSON.readTree(backup.out());
      String id = m.at("/backup/id").asText();
      long stored = m.at("/backup/stored_size").asLong();
      String rawSha = m.at("/backup/raw_sha256").asText();
      assertThat(stored).as(backup.out()).isGreaterThan(100L * 1024 * 1024);

      Run push = run(credentials(), "-c", cfg.toString(), "push");
      assertThat(push.exit()).as(push.err()).isZero();
      assertThat(push.out()).contains("pushed " + id).contains("pushed 1 backup(s)");

      Run list = run(credentials(), "-c", cfg.toString(), "--json", "list", "--where", "all");
      assertThat(JSON.readTree(list.out()).at("/backups/0/where").toString())
          .isEqualTo("[\"local\",\"offsite\"]");

      Path rdb = tmp.resolve("fetched.rdb");
      Run fetch = run(credentials(), "-c", cfg.toString(), "fetch", id, "--output", rdb.toString());
      assertThat(fetch.exit()).as(fetch.err()).isZero();
      assertThat(Files.size(rdb)).isGreaterThan(100L * 1024 * 1024);
      assertThat(sha256(rdb)).isEqualTo(rawSha);
      Files.delete(rdb);
    } finally {
      redis.sync().select(9);
      redis.sync().flushdb();
      redis.sync().select(0);
    }
  }

  @Test
  void encryptedCopiesDecryptWithTheirKeyAndATamperedObjectOrAWrongKeyExitsThree()
      throws Exception {
    s3.createBucket("enc");
    Path key = Files.writeString(tmp.resolve("key"), "11".repeat(32) + "\n");
    Path otherKey = Files.writeString(tmp.resolve("other"), "22".repeat(32) + "\n");
    Path cfg = config("enc", "enc", s3.endpoint().toString(), "  encryption-key-file: " + key);
    Path wrong =
        config("enc", "enc", s3.endpoint().toString(), "  encryption-key-file: " + otherKey);
    redis.sync().set("k", "v");
    assertThat(run(Map.of(), "-c", cfg.toString(), "backup").exit()).isZero();
    Run push = run(credentials(), "-c", cfg.toString(), "--json", "push");
    assertThat(push.exit()).as(push.err()).isZero();
    String id = JSON.readTree(push.out()).at("/pushed/0/id").asText();

    Run verify = run(credentials(), "-c", cfg.toString(), "verify", "--where", "offsite", id);
    assertThat(verify.exit()).as(verify.err()).isZero();
    assertThat(verify.out()).startsWith("OK   " + id);
    assertThat(
            run(
                    credentials(),
                    "-c",
                    cfg.toString(),
                    "fetch",
                    id,
                    "-o",
                    tmp.resolve("a.rdb").toString())
                .exit())
        .isZero();

    assertOneLine(
        run(
            credentials(),
            "-c",
            wrong.toString(),
            "fetch",
            id,
            "-o",
            tmp.resolve("b.rdb").toString()),
        3,
        "key");
    assertThat(tmp.resolve("b.rdb")).doesNotExist();

    String objectKey = "redis/enc/" + id + "/dump.rdb.zst.enc";
    try (S3Client client =
        S3Client.builder()
            .endpointOverride(s3.endpoint())
            .forcePathStyle(true)
            .region(Region.of(s3.region()))
            .httpClient(Apache5HttpClient.create())
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
            .build()) {
      byte[] bytes = client.getObjectAsBytes(b -> b.bucket("enc").key(objectKey)).asByteArray();
      bytes[bytes.length - 20] ^= 0x01;
      client.putObject(b -> b.bucket("enc").key(objectKey), RequestBody.fromBytes(bytes));
    }
    assertOneLine(
        run(
            credentials(),
            "-c",
            cfg.toString(),
            "fetch",
            id,
            "-o",
            tmp.resolve("c.rdb").toString()),
        3,
        "tampered");
    assertThat(tmp.resolve("c.rdb")).doesNotExist();
  }

  @Test
  void drillFromOffsiteLoadsTheNewestOffsiteCopyAndRecordsItThere() throws Exception {
    s3.createBucket("drill");
    Path cfg = config("drill", "drill");
    redis.sync().set("drill:a", "1");
    redis.sync().set("drill:b", "2");
    Run backup = run(Map.of(), "-c", cfg.toString(), "--json", "backup");
    assertThat(backup.exit()).as(backup.err()).isZero();
    String id = JSON.readTree(backup.out()).at("/backup/id").asText();
    long keys = JSON.readTree(backup.out()).at("/backup/total_keys").asLong(-1);
    assertThat(run(credentials(), "-c", cfg.toString(), "push").exit()).isZero();
    // only the off-site copy is left: the drill can only have read that one
    Path localCopy = tmp.resolve("repo").resolve("drill").resolve(id);
    assertThat(localCopy).isDirectory();
    try (java.util.stream.Stream<Path> files = Files.walk(localCopy)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }

    Run drill = run(credentials(), "-c", cfg.toString(), "--json", "drill", "--from", "offsite");
    assertThat(drill.exit()).as(drill.err()).isZero();
    JsonNode d = JSON.readTree(drill.out());
    assertThat(d.get("backup_id").asText()).isEqualTo(id);
    assertThat(d.get("from").asText()).isEqualTo("offsite");
    assertThat(d.get("result").asText()).isEqualTo("pass");
    assertThat(keys).as(backup.out()).isGreaterThanOrEqualTo(2);
    assertThat(d.get("total_keys").asLong()).isEqualTo(keys);
    assertThat(localCopy).doesNotExist();

    Run list = run(credentials(), "-c", cfg.toString(), "--json", "list", "--where", "offsite");
    assertThat(list.exit()).as(list.err()).isZero();
    JsonNode row = JSON.readTree(list.out()).at("/backups/0");
    assertThat(row.get("id").asText()).as(list.out()).isEqualTo(id);
    assertThat(row.at("/last_drill/result").asText()).as(list.out()).isEqualTo("pass");
    assertThat(row.at("/last_drill/from").asText()).as(list.out()).isEqualTo("offsite");
  }

  @Test
  void wrongCredentialsMissingBucketAndBadEndpointAreOneLineWithTheirExitCodeAndLocalBackupsStay()
      throws Exception {
    s3.createBucket("errs");
    Path cfg = config("errs", "errs");
    assertThat(run(Map.of(), "-c", cfg.toString(), "backup").exit()).isZero();
    String before = run(Map.of(), "-c", cfg.toString(), "list").out();
    assertThat(before).contains("local");

    Map<String, String> wrongSecret = new HashMap<>(credentials());
    wrongSecret.put("REDIS_OPS_S3_SECRET_ACCESS_KEY", "wrong-secret-value-42");
    Run refused = run(wrongSecret, "-c", cfg.toString(), "push");
    assertOneLine(refused, 2, "refused the credentials");
    assertThat(refused.err() + refused.out())
        .doesNotContain("wrong-secret-value-42")
        .doesNotContain(s3.secretKey());

    assertOneLine(
        run(credentials(), "-c", config("errs", "no-such-bucket").toString(), "push"),
        2,
        "bucket 'no-such-bucket' does not exist");

    int port;
    port = FreePorts.next();
    Run unreachable =
        run(
            credentials(),
            "-c",
            config("errs", "errs", "http://127.0.0.1:" + port, "").toString(),
            "push");
    assertOneLine(unreachable, 1, "cannot reach http://127.0.0.1:" + port);

    Path noOffsite =
        Files.writeString(
            tmp.resolve("plain.yaml"), "repository:\n  path: " + tmp.resolve("repo") + "\n");
    assertOneLine(
        run(
            Map.of(),
            "-c",
            noOffsite.toString(),
            "--dataset",
            "errs",
            "list",
            "--where",
            "offsite"),
        2,
        "no off-site repository is configured");

    assertThat(run(Map.of(), "-c", cfg.toString(), "list").out()).isEqualTo(before);
  }

  /** SET of random (incompressible) binary values, pipelined over a plain socket. */
  private static void setRandomValues(int db, int count, int size) throws IOException {
    Random random = new Random(11);
    byte[] value = new byte[size];
    try (Socket s = new Socket(redis.host(), redis.port())) {
      s.setSoTimeout(60_000);
      OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 16);
      out.write(
          ("*2\r\n$6\r\nSELECT\r\n$" + String.valueOf(db).length() + "\r\n" + db + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < count; i++) {
        random.nextBytes(value);
        String key = "big:" + i;
        out.write(
            ("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + size + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(value);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.flush();
      InputStream in = s.getInputStream();
      for (int i = 0; i < count + 1; i++) {
        String reply = readLine(in);
        if (!reply.equals("+OK")) {
          throw new IOException("redis answered " + reply);
        }
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  private static String sha256(Path p) throws Exception {
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(p)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        d.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(d.digest());
  }
}
