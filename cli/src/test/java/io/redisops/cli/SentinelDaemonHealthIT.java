package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redisops.testkit.Await;
import io.redisops.testkit.RedisGroupExtension;
import io.redisops.testkit.RedisServer;
import io.redisops.testkit.S3ProxyExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-daemon-per-host Sentinel setup of docs/operations.md, each host with its own local
 * repository and a common off-site store: the daemon whose Redis is not the chosen source takes no
 * backup, and its /health is 200 once it sees the source host's backup off-site (saying whose it
 * is), 503 while it sees none.
 */
class SentinelDaemonHealthIT {
  @RegisterExtension
  static final RedisGroupExtension group =
      RedisGroupExtension.builder().config("save", "3600 1").build();

  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();

  @TempDir Path tmp;

  private Path config(String host, RedisServer local, int httpPort, boolean pushAfterBackup)
      throws Exception {
    String nodes =
        group.sentinels().stream()
            .map(s -> "\"" + s.host() + ":" + s.port() + "\"")
            .collect(Collectors.joining(", "));
    return Files.writeString(
        tmp.resolve(host + ".yaml"),
        String.join(
            "\n",
            "datasets:",
            "  - redis:",
            "      uri: " + local.uri(),
            "    sentinel:",
            "      master: mymaster",
            "      nodes: [" + nodes + "]",
            "      backup-from: master",
            "repository:",
            "  path: " + tmp.resolve("repo-" + host), // each host its own local repository
            "offsite:",
            "  uri: s3://shared/redis",
            "  endpoint: " + s3.endpoint(),
            "  path-style: true",
            "  credentials: env",
            "  push-after-backup: " + pushAfterBackup,
            "schedule:",
            "  hourly: \"0/5 * * * * ?\"",
            "  daily: \"0 0 3 1 1 ?\"",
            "  retry-backoff: 1s",
            "http:",
            "  listen: \"127.0.0.1:" + httpPort + "\"",
            ""));
  }

  private RedisOpsProcess.Background daemon(Path config) {
    return RedisOpsProcess.of("-c", config.toString(), "daemon")
        .env("REDIS_OPS_S3_ACCESS_KEY_ID", s3.accessKey())
        .env("REDIS_OPS_S3_SECRET_ACCESS_KEY", s3.secretKey())
        .start();
  }

  @Test
  void theDaemonOfAHostThatIsNotTheSourceIsHealthyWhenItSeesTheSourcesBackup() throws Exception {
    s3.createBucket("shared");
    RedisServer master = group.master();
    RedisServer replica = group.replicas().get(0);
    int replicaHttp = RedisOpsProcess.freePort();
    int masterHttp = RedisOpsProcess.freePort();

    try (RedisOpsProcess.Background onReplica = daemon(config("b", replica, replicaHttp, false))) {
      // no backup anywhere yet: nothing protects the dataset, and /health says why
      Await.until(
          Duration.ofSeconds(60),
          "the replica's daemon to skip and say no backup is seen",
          () -> {
            HttpResponse<String> h = health(replicaHttp);
            return h != null
                && h.statusCode() == 503
                && h.body().contains("no hourly backup of it seen yet");
          });
      assertThat(health(replicaHttp).body())
          .contains("no successful backup yet")
          .contains("its own daemon takes the backup");

      try (RedisOpsProcess.Background onMaster = daemon(config("a", master, masterHttp, true))) {
        try {
          Await.until(
              Duration.ofSeconds(90),
              "the replica's daemon to be healthy through the master host's backups",
              () -> {
                HttpResponse<String> h = health(replicaHttp);
                return h != null && h.statusCode() == 200;
              });
        } catch (AssertionError e) {
          throw new AssertionError(
              e.getMessage()
                  + "; /health: "
                  + health(replicaHttp).body()
                  + "\nreplica's daemon:\n"
                  + onReplica.stderrSoFar()
                  + "\nmaster's daemon:\n"
                  + onMaster.stderrSoFar(),
              e);
        }
        JsonNode doc = RepoTree.json(health(replicaHttp).body());
        assertThat(doc.get("status").asText()).isEqualTo("ok");
        assertThat(doc.get("taken_elsewhere")).as(doc.toString()).hasSize(2);
        assertThat(doc.get("taken_elsewhere").toString())
            .contains("the chosen source is the master " + master.host() + ":" + master.port())
            .contains("(off-site, completed");
        // it took nothing itself
        assertThat(RepoTree.backupFolders(tmp.resolve("repo-b"), "mymaster")).isEmpty();
        assertThat(onReplica.stderrSoFar())
            .doesNotContain("starting from")
            .doesNotContain("] failed:");
        // The master host's daemon records its push only after the upload the replica's daemon
        // has just seen: its own /health may still lag behind.
        Await.until(
            Duration.ofSeconds(60),
            "the master host's daemon to be healthy",
            () -> {
              HttpResponse<String> h = health(masterHttp);
              return h != null && h.statusCode() == 200;
            });

        onMaster.terminate();
        assertThat(onMaster.await(Duration.ofSeconds(60)).exitCode()).isZero();
      }
      onReplica.terminate();
      assertThat(onReplica.await(Duration.ofSeconds(60)).exitCode()).isZero();
    }
  }

  /** GET /health, or null while the daemon is not listening yet. */
  private static HttpResponse<String> health(int port) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
