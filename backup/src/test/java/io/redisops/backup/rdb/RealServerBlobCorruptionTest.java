package io.redisops.backup.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: real RDB files from real servers verify FULL; when a byte inside one of their listpack / ziplist / intset
 * blobs is damaged and the CRC recomputed (so only a structure check can notice), whenever that server's own
 * redis-check-rdb refuses the file the analyzer does not return FULL. Servers: Debian's redis-server 7.0 on PATH and
 * the ones scripts/build-servers.sh builds into ~/.cache/redis-ops/servers (each skipped with a message when absent).
 * Servers are started directly on a free loopback port and stopped by PID.
 */
class RealServerBlobCorruptionTest {

    private static final Path BUILT = Path.of(System.getProperty("user.home"), ".cache", "redis-ops", "servers");

    @TempDir
    Path dir;

    private String lastOutput = "";

    record Server(String name, Path bin) {
        Path exe(String tool) {
            return bin == null ? Path.of("/usr/bin", tool) : bin.resolve(tool);
        }

        boolean present() {
            return Files.isExecutable(exe("redis-server")) && Files.isExecutable(exe("redis-check-rdb"));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Server> servers() {
        return Stream.of(new Server("debian-redis-7.0", null),
                new Server("redis-8.0", BUILT.resolve("redis-8.0/bin")),
                new Server("redis-8.6", BUILT.resolve("redis-8.6/bin")),
                new Server("valkey-8.1", BUILT.resolve("valkey-8.1/bin")),
                new Server("valkey-9.1", BUILT.resolve("valkey-9.1/bin")));
    }

    @ParameterizedTest
    @MethodSource("servers")
    void damagedBlobsThatTheServersCheckerRefusesNeverPassAsFull(Server server) throws Exception {
        assumeTrue(server.present() && (server.bin == null || Files.exists(server.bin.getParent().resolve("ok"))),
                server.name + " not available (run scripts/build-servers.sh)");
        byte[] rdb = makeRdb(server);
        RdbAnalysis clean = RdbAnalyzer.analyze(new ByteArrayInputStream(rdb));
        assertThat(clean.verification()).as(server.name + ": " + clean.verificationNote()).isEqualTo(Verification.FULL);
        assertThat(clean.crcOk()).isTrue();
        assertThat(checkerAccepts(server, rdb)).isTrue();

        List<int[]> blobs = findBlobs(rdb);
        assertThat(blobs).as("encoded blobs found in the %s RDB", server.name).hasSizeGreaterThan(3);
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
                        Files.write(Path.of("target", "refused-" + server.name + ".rdb"), damaged);
                    }
                    assertThat(ours).as("%s: byte %d of the blob at %d flipped: redis-check-rdb refuses it (%s), we"
                            + " said", server.name, at, blob[0], lastOutput).isNotEqualTo(Verification.FULL);
                }
            }
        }
        assertThat(refusedByChecker).as("mutations the checker refused out of %d", tries).isPositive();
    }

    private byte[] makeRdb(Server server) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assumeTrue(port != 6379);
        Process p = new ProcessBuilder(server.exe("redis-server").toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--dir", dir.toString(), "--dbfilename", "dump.rdb", "--save", "",
                "--appendonly", "no", "--daemonize", "no")
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        try {
            String cli = "/usr/bin/redis-cli";
            for (int i = 0; i < 100 && !cli(cli, port, "PING").contains("PONG"); i++) {
                Thread.sleep(50);
            }
            cli(cli, port, "HSET", "h", "f1", "v1", "f2", "2", "f3", "a longer value here");
            cli(cli, port, "SADD", "iset", "1", "2", "3", "70000", "-5");
            cli(cli, port, "SADD", "lset", "a", "b", "c");
            cli(cli, port, "ZADD", "z", "1", "a", "2.5", "b", "3", "c");
            cli(cli, port, "RPUSH", "l", "x", "y", "1", "2", "zzzzzzzzzz");
            cli(cli, port, "XADD", "s", "1-1", "f", "v");
            cli(cli, port, "XADD", "s", "2-1", "f", "w", "g", "1");
            cli(cli, port, "XGROUP", "CREATE", "s", "g1", "0");
            cli(cli, port, "XREADGROUP", "GROUP", "g1", "c1", "COUNT", "1", "STREAMS", "s", ">");
            cli(cli, port, "SELECT", "0");
            cli(cli, port, "-n", "2", "HSET", "h2", "a", "1", "b", "2");
            cli(cli, port, "HSET", "ttlhash", "f1", "v1", "f2", "v2", "f3", "v3");
            cli(cli, port, "HEXPIRE", "ttlhash", "1000", "FIELDS", "1", "f1"); // errors harmlessly before 7.4
            cli(cli, port, "SAVE");
            cli(cli, port, "SHUTDOWN", "NOSAVE");
            p.waitFor(10, TimeUnit.SECONDS);
        } finally {
            if (p.isAlive()) {
                p.destroy(); // by PID: only the process this test started
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        return Files.readAllBytes(dir.resolve("dump.rdb"));
    }

    private static String cli(String cli, int port, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(cli, "-h", "127.0.0.1", "-p", Integer.toString(port)));
        if (args[0].equals("-n")) {
            cmd.add("-n");
            cmd.add(args[1]);
            cmd.addAll(List.of(args).subList(2, args.length));
        } else {
            cmd.addAll(List.of(args));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    private boolean checkerAccepts(Server server, byte[] rdb) throws Exception {
        Path file = Files.write(dir.resolve("check.rdb"), rdb);
        Process p = new ProcessBuilder(server.exe("redis-check-rdb").toString(), file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        lastOutput = out.lines().filter(l -> l.contains("---") || l.contains("rror") || l.contains("ailed"))
                .findFirst().orElse("");
        return p.exitValue() == 0;
    }

    /** Listpacks and ziplists (total length in their header equals the RDB string length) and intsets. */
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
            boolean intset = (enc == 2 || enc == 4 || enc == 8) && 8 + RdbEncodings.u32le(r, data + 4) * enc == len;
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
