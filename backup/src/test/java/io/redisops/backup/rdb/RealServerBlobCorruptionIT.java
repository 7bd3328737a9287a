package io.redisops.backup.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.Consumer;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.RedisServer;
import io.redisops.testkit.ServerBuild;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: real RDB files from real servers verify FULL; when a byte inside one of their listpack
 * / ziplist / intset blobs is damaged and the CRC recomputed (so only a structure check can
 * notice), whenever that server's own redis-check-rdb refuses the file the analyzer does not return
 * FULL. Servers: Debian's redis-server 7.0 on PATH and the ones scripts/build-servers.sh builds
 * into ~/.cache/redis-ops/servers (each skipped with a message when absent). Servers are started by
 * the testkit (free loopback port, stopped by PID).
 */
class RealServerBlobCorruptionIT {

  @TempDir Path dir;

  private String lastOutput = "";

  static Stream<String> servers() {
    return ServerBuild.MATRIX.stream();
  }

  @ParameterizedTest
  @MethodSource("servers")
  void damagedBlobsThatTheServersCheckerRefusesNeverPassAsFull(String name) throws Exception {
    ServerBuild server = ServerBuild.find(name).orElse(null);
    assumeTrue(server != null, name + " not available (run scripts/build-servers.sh " + name + ")");
    byte[] rdb = makeRdb(server);
    RdbAnalysis clean = RdbAnalyzer.analyze(new ByteArrayInputStream(rdb));
    assertThat(clean.verification())
        .as(server.name() + ": " + clean.verificationNote())
        .isEqualTo(Verification.FULL);
    assertThat(clean.crcOk()).isTrue();
    assertThat(checkerAccepts(server, rdb)).isTrue();

    List<int[]> blobs = findBlobs(rdb);
    assertThat(blobs).as("encoded blobs found in the %s RDB", server.name()).hasSizeGreaterThan(3);
    Random random = new Random(42);
    int refusedByChecker = 0;
    int tries = 0;
    for (int[] blob : blobs) {
      for (int k = 0; k < 6; k++, tries++) {
        byte[] damaged = rdb.clone();
        int at = blob[0] + random.nextInt(blob[1]);
        damaged[at] ^= (byte) (1 << random.nextInt(8));
        fixCrc(damaged);
        boolean checkerOk = checkerAccepts(server, damaged);
        Verification ours;
        try {
          RdbAnalysis a = RdbAnalyzer.analyze(new ByteArrayInputStream(damaged));
          assertThat(a.crcOk()).isTrue();
          ours = a.verification();
        } catch (RdbFormatException refused) {
          ours = null;
        }
        if (!checkerOk) {
          refusedByChecker++;
          if (ours == Verification.FULL) {
            Files.write(Path.of("target", "refused-" + server.name() + ".rdb"), damaged);
          }
          assertThat(ours)
              .as(
                  "%s: byte %d of the blob at %d flipped: redis-check-rdb refuses it (%s), we"
                      + " said",
                  server.name(), at, blob[0], lastOutput)
              .isNotEqualTo(Verification.FULL);
        }
      }
    }
    assertThat(refusedByChecker).as("mutations the checker refused out of %d", tries).isPositive();
  }

  /** An RDB of every encoding the servers write small, saved by a real server of {@code build}. */
  @SuppressWarnings(
      "unchecked") // Lettuce's xreadgroup(..., StreamOffset<K>...) is not @SafeVarargs; one offset
  // is safe
  private byte[] makeRdb(ServerBuild build) throws Exception {
    try (RedisServer redis =
        RedisServer.builder().server(build).dir(dir.resolve("server")).start()) {
      RedisCommands<String, String> c = redis.sync();
      c.hset("h", Map.of("f1", "v1", "f2", "2", "f3", "a longer value here"));
      c.sadd("iset", "1", "2", "3", "70000", "-5");
      c.sadd("lset", "a", "b", "c");
      c.zadd("z", 1.0, "a", 2.5, "b", 3.0, "c");
      c.rpush("l", "x", "y", "1", "2", "zzzzzzzzzz");
      c.xadd("s", new XAddArgs().id("1-1"), Map.of("f", "v"));
      c.xadd("s", new XAddArgs().id("2-1"), Map.of("f", "w", "g", "1"));
      c.xgroupCreate(XReadArgs.StreamOffset.from("s", "0"), "g1");
      c.xreadgroup(
          Consumer.from("g1", "c1"),
          XReadArgs.Builder.count(1),
          XReadArgs.StreamOffset.lastConsumed("s"));
      c.hset("ttlhash", Map.of("f1", "v1", "f2", "v2", "f3", "v3"));
      if (DataFixture.hasFieldTtls(c)) {
        c.hexpire("ttlhash", 1000, "f1");
      }
      c.select(2);
      c.hset("h2", Map.of("a", "1", "b", "2"));
      c.select(0);
      c.save();
      return Files.readAllBytes(redis.dir().resolve("dump.rdb"));
    }
  }

  private boolean checkerAccepts(ServerBuild server, byte[] rdb) throws Exception {
    Path file = Files.write(dir.resolve("check.rdb"), rdb);
    Process p =
        new ProcessBuilder(server.executable("redis-check-rdb").toString(), file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    lastOutput =
        out.lines()
            .filter(l -> l.contains("---") || l.contains("rror") || l.contains("ailed"))
            .findFirst()
            .orElse("");
    return p.exitValue() == 0;
  }

  /**
   * Listpacks and ziplists (total length in their header equals the RDB string length) and intsets.
   */
  private static List<int[]> findBlobs(byte[] r) {
    List<int[]> found = new ArrayList<>();
    for (int i = 9; i + 8 < r.length; i++) {
      int first = r[i] & 0xff;
      int len;
      int data;
      if (first < 64) {
        len = first;
        data = i + 1;
      } else if ((first & 0xC0) == 0x40) {
        len = ((first & 0x3f) << 8) | (r[i + 1] & 0xff);
        data = i + 2;
      } else {
        continue;
      }
      if (len < 7 || data + len > r.length - 8) {
        continue;
      }
      boolean packed = RdbEncodings.u32le(r, data) == len && (r[data + len - 1] & 0xff) == 0xFF;
      long enc = RdbEncodings.u32le(r, data);
      boolean intset =
          (enc == 2 || enc == 4 || enc == 8) && 8 + RdbEncodings.u32le(r, data + 4) * enc == len;
      if (packed || intset) {
        found.add(new int[] {data, len});
        i = data + len - 1;
      }
    }
    return found;
  }

  private static void fixCrc(byte[] rdb) throws IOException {
    long crc = Crc64.of(java.util.Arrays.copyOf(rdb, rdb.length - 8));
    for (int i = 0; i < 8; i++) {
      rdb[rdb.length - 8 + i] = (byte) (crc >>> (8 * i));
    }
  }
}
