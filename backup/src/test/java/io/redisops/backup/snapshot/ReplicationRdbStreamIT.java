package io.redisops.backup.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import io.redisops.testkit.FreePorts;
import io.redisops.testkit.RedisServerExtension;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot fetch from a real redis-server, diskless and disk-based. */
class ReplicationRdbStreamIT {
  private static final int KEYS = 500;

  @RegisterExtension
  static final RedisServerExtension redis =
      RedisServerExtension.builder().config("repl-diskless-sync-delay", "0").build();

  @TempDir static Path dir;
  private static RedisEndpoint ep;

  @BeforeAll
  static void populate() {
    ep = RedisEndpoint.parse(redis.uri());
    redis.sync().mset(FetchedRdb.sampleKeys(KEYS));
  }

  @Test
  void disklessFetchGivesAValidRdb() throws Exception {
    redis.sync().configSet("repl-diskless-sync", "yes");

    String check = FetchedRdb.fetchAndCheck(ep, true, dir.resolve("diskless.rdb"));

    assertThat(check).contains("RDB looks OK").contains(KEYS + " keys read");
  }

  @Test
  void diskBasedFetchGivesAValidRdbOfTheDeclaredLength() throws Exception {
    redis.sync().configSet("repl-diskless-sync", "no");

    String check = FetchedRdb.fetchAndCheck(ep, false, dir.resolve("disk.rdb"));

    assertThat(check).contains("RDB looks OK").contains(KEYS + " keys read");
  }

  @Test
  void keepAliveNewlinesDuringTheSyncDelayAreSkipped() throws Exception {
    // With a delay the master parks us in "wait bgsave start" and sends a newline every second
    // before the header.
    redis.sync().configSet("repl-diskless-sync", "yes");
    redis.sync().configSet("repl-diskless-sync-delay", "2");
    try {
      assertThat(FetchedRdb.fetchAndCheck(ep, true, dir.resolve("delayed.rdb")))
          .contains(KEYS + " keys read");
    } finally {
      redis.sync().configSet("repl-diskless-sync-delay", "0");
    }
  }

  @Test
  void headerTimeComesFromTheGivenClock() {
    Instant fixed = Instant.parse("2030-05-06T07:08:09Z");
    try (ReplicationRdbStream s =
        ReplicationRdbStream.open(
            ep, FetchedRdb.CONNECT, FetchedRdb.READ, Clock.fixed(fixed, ZoneOffset.UTC))) {
      assertThat(s.headerReceivedAt()).isEqualTo(fixed);
    }
  }

  @Test
  void connectionRefusedNamesTheServer() throws Exception {
    int closedPort = freePort();
    RedisEndpoint nobody = RedisEndpoint.parse("redis://127.0.0.1:" + closedPort);

    assertThatThrownBy(() -> ReplicationRdbStream.open(nobody, FetchedRdb.CONNECT, FetchedRdb.READ))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED))
        .hasMessage(
            "unable to connect to Redis at redis://127.0.0.1:"
                + closedPort
                + ": connection refused; check --redis and that the server runs");
  }

  /** A loopback port nobody listens on (just released, and never 6379). */
  private static int freePort() throws IOException {
    return FreePorts.next();
  }
}
