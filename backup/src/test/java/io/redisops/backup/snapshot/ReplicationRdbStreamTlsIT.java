package io.redisops.backup.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot fetch over TLS from a real redis-server that only has a TLS port, with a CA and
 * certificate made by openssl for this run. The certificate names {@code localhost} only, so host
 * name verification can be seen at work.
 */
class ReplicationRdbStreamTlsIT {
  @TempDir static Path dir;
  private static TestCertificates certs;
  private static TlsOnlyRedisServer server;

  @BeforeAll
  static void start() throws Exception {
    Path certDir = Files.createDirectories(dir.resolve("certs"));
    Path dataDir = Files.createDirectories(dir.resolve("data"));
    certs = TestCertificates.create(certDir, "DNS:localhost");
    server =
        TlsOnlyRedisServer.start(
            dataDir, certs, "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0");
    server.mset(FetchedRdb.sampleKeys(50));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void fetchOverTlsByHostNameWithTheCaFile() throws Exception {
    RedisEndpoint ep =
        RedisEndpoint.parse("rediss://localhost:" + server.port()).withCaFile(certs.caCert);

    assertThat(FetchedRdb.fetchAndCheck(ep, true, dir.resolve("tls.rdb"))).contains("50 keys read");
  }

  @Test
  void diskBasedFetchOverTls() throws Exception {
    server.command("CONFIG", "SET", "repl-diskless-sync", "no");
    try {
      RedisEndpoint ep =
          RedisEndpoint.parse("rediss://localhost:" + server.port()).withCaFile(certs.caCert);

      assertThat(FetchedRdb.fetchAndCheck(ep, false, dir.resolve("tls-disk.rdb")))
          .contains("50 keys read");
    } finally {
      server.command("CONFIG", "SET", "repl-diskless-sync", "yes");
    }
  }

  @Test
  void certificateFromAnotherCaIsRefused() throws Exception {
    Path otherDir = Files.createDirectories(dir.resolve("other-ca"));
    Path otherCa = TestCertificates.create(otherDir, "DNS:localhost").caCert;
    RedisEndpoint ep =
        RedisEndpoint.parse("rediss://localhost:" + server.port()).withCaFile(otherCa);

    assertThatThrownBy(() -> ReplicationRdbStream.open(ep, FetchedRdb.CONNECT, FetchedRdb.READ))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED))
        .hasMessageStartingWith(
            "TLS handshake with Redis at rediss://localhost:" + server.port() + " failed: ")
        .hasMessageEndingWith(
            "; check --tls-ca-file, the host name in --redis and that the port speaks TLS");
  }

  @Test
  void hostNameIsVerifiedForNamesButNotForIpAddresses() throws Exception {
    // A second server whose certificate names another host: reached as "localhost" it must be
    // refused even though
    // the CA is trusted; reached by IP address only the CA is checked (as redis-cli does).
    Path otherDir = Files.createDirectories(dir.resolve("other-host"));
    TestCertificates otherHost = TestCertificates.create(otherDir, "DNS:redis.invalid");
    try (TlsOnlyRedisServer other = TlsOnlyRedisServer.start(otherDir, otherHost)) {
      RedisEndpoint byName =
          new RedisEndpoint("localhost", other.port(), true, null, null, otherHost.caCert);
      RedisEndpoint byIp =
          new RedisEndpoint("127.0.0.1", other.port(), true, null, null, otherHost.caCert);

      assertThatThrownBy(
              () -> ReplicationRdbStream.open(byName, FetchedRdb.CONNECT, FetchedRdb.READ))
          .isInstanceOf(RedisOpsException.class)
          .hasMessageStartingWith(
              "TLS handshake with Redis at rediss://localhost:" + other.port() + " failed: ")
          .hasMessageContaining("localhost");
      try (ReplicationRdbStream s =
          ReplicationRdbStream.open(byIp, FetchedRdb.CONNECT, FetchedRdb.READ)) {
        assertThat(s.rdb().readAllBytes())
            .startsWith("REDIS0010".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      }
    }
  }

  @Test
  void plainConnectionToTheTlsPortSaysSo() {
    RedisEndpoint ep = RedisEndpoint.parse("redis://127.0.0.1:" + server.port());

    assertThatThrownBy(() -> ReplicationRdbStream.open(ep, FetchedRdb.CONNECT, FetchedRdb.READ))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED))
        .hasMessageStartingWith(
            "replication handshake with Redis at redis://127.0.0.1:" + server.port() + " failed: ")
        .hasMessageEndingWith("; if the server only accepts TLS use rediss://");
  }
}
