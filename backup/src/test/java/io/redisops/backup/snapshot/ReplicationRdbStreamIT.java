package io.redisops.backup.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot fetch from a real redis-server, diskless and disk-based. */
class ReplicationRdbStreamIT {
  private static final int KEYS = 500;

  @TempDir static Path dir;
  private static LocalRedisServer server;
  private static RedisEndpoint ep;

  @BeforeAll
  static void start() throws Exception {
    server = LocalRedisServer.start(dir, null, null, "--repl-diskless-sync-delay", "0");
    ep = RedisEndpoint.parse("redis://127.0.0.1:" + server.port());
    FetchedRdb.populate(server, KEYS);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void disklessFetchGivesAValidRdb() throws Exception {
    server.command("CONFIG", "SET", "repl-diskless-sync", "yes");

    String check = FetchedRdb.fetchAndCheck(ep, true, dir.resolve("diskless.rdb"));

    assertThat(check).contains("RDB looks OK").contains(KEYS + " keys read");
  }

  @Test
  void diskBasedFetchGivesAValidRdbOfTheDeclaredLength() throws Exception {
    server.command("CONFIG", "SET", "repl-diskless-sync", "no");

    String check = FetchedRdb.fetchAndCheck(ep, false, dir.resolve("disk.rdb"));

    assertThat(check).contains("RDB looks OK").contains(KEYS + " keys read");
  }

  @Test
  void keepAliveNewlinesDuringTheSyncDelayAreSkipped() throws Exception {
    // With a delay the master parks us in "wait bgsave start" and sends a newline every second before the header.
    server.command("CONFIG", "SET", "repl-diskless-sync", "yes");
    server.command("CONFIG", "SET", "repl-diskless-sync-delay", "2");
    try {
      assertThat(FetchedRdb.fetchAndCheck(ep, true, dir.resolve("delayed.rdb"))).contains(KEYS + " keys read");
    } finally {
      server.command("CONFIG", "SET", "repl-diskless-sync-delay", "0");
    }
  }

  @Test
  void headerTimeComesFromTheGivenClock() {
    Instant fixed = Instant.parse("2030-05-06T07:08:09Z");
    try (ReplicationRdbStream s = ReplicationRdbStream.open(ep, FetchedRdb.CONNECT, FetchedRdb.READ,
        Clock.fixed(fixed, ZoneOffset.UTC))) {
      assertThat(s.headerReceivedAt()).isEqualTo(fixed);
    }
  }

  @Test
  void connectionRefusedNamesTheServer() throws Exception {
    int closedPort = LocalRedisServer.freePort();
    RedisEndpoint nobody = RedisEndpoint.parse("redis://127.0.0.1:" + closedPort);

    assertThatThrownBy(() -> ReplicationRdbStream.open(nobody, FetchedRdb.CONNECT, FetchedRdb.READ))
        .isInstanceOfSatisfying(RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED))
        .hasMessage("unable to connect to Redis at redis://127.0.0.1:" + closedPort
            + ": connection refused; check --redis and that the server runs");
  }
}
