package io.redisops.backup.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.backup.fixtures.TestArchivers;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.BackupService;
import io.redisops.redis.RedisEndpoint;
import io.redisops.sentinel.ArchiverAnnouncement;
import io.redisops.sentinel.CheckResult;
import io.redisops.sentinel.DeploymentChecker;
import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.SentinelTarget;
import io.redisops.sentinel.Topology;
import io.redisops.sentinel.TopologyReader;
import io.redisops.storage.LocalRepository;
import io.redisops.testkit.Await;
import io.redisops.testkit.RedisGroupExtension;
import io.redisops.testkit.RedisSentinel;
import io.redisops.testkit.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The point-in-time archiver (a replica that is no server: PSYNC, stream, ACKs, no listening port)
 * attached to a Sentinel-monitored master, on real servers. With {@link ArchiverAnnouncement}'s
 * handshake, which {@link io.redisops.backup.snapshot.ReplicationConnection} sends, no sentinel
 * ever records it: not in {@code SENTINEL REPLICAS}, not in a config file, not chosen by {@code
 * SENTINEL FAILOVER}, also after it followed the failover to the new master; status lists it as the
 * archiver and check stays as clean as without it. A control attached without a listening port
 * (what {@code redis-cli --replica} does) shows what the announcement prevents: a phantom replica,
 * kept after it disconnects and written to every config file, until {@code SENTINEL RESET}.
 */
class ArchiverSentinelIT {
  private static final String NAME = "mymaster";
  private static final String DATASET = "pitr";

  @RegisterExtension
  static final RedisGroupExtension group =
      RedisGroupExtension.builder()
          .downAfter(Duration.ofSeconds(2))
          .failoverTimeout(Duration.ofSeconds(10))
          .build();

  @TempDir static Path dir;

  private static SentinelTarget target() {
    return new SentinelTarget(
        NAME,
        group.sentinels().stream()
            .map(s -> new RedisEndpoint(s.host(), s.port(), false, null, null, null))
            .toList(),
        null);
  }

  /** {@code ip:port} of every replica a sentinel lists. */
  private static Set<String> listed(RedisSentinel s) {
    Set<String> out = new TreeSet<>();
    for (Object r : (List<?>) s.sentinel("replicas", NAME)) {
      out.add(field((List<?>) r, "ip") + ":" + field((List<?>) r, "port"));
    }
    return out;
  }

  /** The {@code known-replica} lines of a sentinel's config file, after it wrote its state. */
  private static List<String> knownReplicas(RedisSentinel s) throws IOException {
    assertThat(s.sentinel("flushconfig")).isEqualTo("OK");
    return Files.readAllLines(s.configFile()).stream()
        .filter(l -> l.startsWith("sentinel known-replica "))
        .toList();
  }

  private static String field(List<?> entry, String name) {
    for (int i = 0; i + 1 < entry.size(); i += 2) {
      if (name.equals(entry.get(i))) {
        return String.valueOf(entry.get(i + 1));
      }
    }
    return null;
  }

  /** Waits until every sentinel has read the master's INFO after {@code sinceNanos}. */
  private static void everySentinelReadTheMasterSince(long sinceNanos) {
    Await.until(
        Duration.ofSeconds(30),
        "every sentinel to refresh the master's INFO",
        () ->
            group.sentinels().stream()
                .allMatch(
                    s -> {
                      long age =
                          Long.parseLong(
                              field((List<?>) s.sentinel("master", NAME), "info-refresh"));
                      return age < (System.nanoTime() - sinceNanos) / 1_000_000;
                    }));
  }

  private static Set<String> notPassing(List<CheckResult> results) {
    return results.stream()
        .filter(r -> r.level() != CheckResult.Level.PASS)
        .map(r -> r.level() + " " + r.name())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String address(RedisServer s) {
    return s.host() + ":" + s.port();
  }

  /** A real archiver that asks the sentinels for the master at every connection. */
  private static Archiver archiver(TopologyReader reader) {
    LocalRepository repo = new LocalRepository(dir.resolve("repo"));
    BackupContext context = TestBackupContext.of(repo, dir.resolve("repo")).build();
    BackupService service = BackupService.standard(context);
    return TestArchivers.of(
        DATASET,
        () -> {
          Topology t = reader.read(false);
          return reader.target().redisAt(t.master().host(), t.master().port());
        },
        new ArchiveStore(repo, context.compression()),
        context,
        service);
  }

  /** Waits until {@code master} lists the archiver online. */
  private static void awaitArchiverOnline(RedisServer master) {
    Await.until(
        Duration.ofSeconds(60),
        "the archiver to be online on " + address(master),
        () ->
            ArchiverAnnouncement.parse(master.sync().info("replication")).stream()
                .anyMatch(
                    a ->
                        a.kind() == ArchiverAnnouncement.Kind.ARCHIVER
                            && a.state().equals("online")));
  }

  @Test
  void sentinelNeverRecordsTheArchiverNorPromotesItAndStatusAndCheckAccountForIt()
      throws Exception {
    RedisServer master = group.master();
    Set<String> servers = new TreeSet<>();
    group.replicas().forEach(r -> servers.add(address(r)));
    List<String> control = new ArrayList<>();
    try (SentinelClient client = new SentinelClient()) {
      TopologyReader reader = new TopologyReader(client, target(), Clock.systemUTC());
      DeploymentChecker checker = new DeploymentChecker(client, reader);
      Set<String> baseline = notPassing(checker.check().results());

      Archiver archiver = archiver(reader);
      Thread thread = new Thread(archiver, "archiver-sentinel-it");
      thread.start();
      PseudoReplica noPort = null;
      try {
        awaitArchiverOnline(master);
        long attached = System.nanoTime();
        noPort = PseudoReplica.attach(master.host(), master.port(), List.of());
        everySentinelReadTheMasterSince(attached);
        // exactly the two servers and the control, attached without a listening port, which is
        // recorded: the test sees a phantom when there is one
        Set<String> withControl = new TreeSet<>(servers);
        withControl.add(master.host() + ":0");
        for (RedisSentinel s : group.sentinels()) {
          assertThat(listed(s)).as("sentinel %d", s.port()).isEqualTo(withControl);
        }

        // status: the archiver apart, as the archiver; never among the replicas
        Topology t = reader.read(true);
        assertThat(t.ownReplicas())
            .singleElement()
            .satisfies(
                a -> {
                  assertThat(a.kind()).isEqualTo(ArchiverAnnouncement.Kind.ARCHIVER);
                  assertThat(a.port()).isEqualTo(-1);
                  assertThat(a.host()).isEqualTo(master.host());
                });
        assertThat(t.replicas()).noneMatch(r -> r.port() == -1);

        // the phantom stays after the control is gone, and is written to every config file
        noPort.close();
        Await.until(
            Duration.ofSeconds(10),
            "the master to drop the control",
            () -> master.info("replication", "connected_slaves").equals("3"));
        everySentinelReadTheMasterSince(System.nanoTime());
        for (RedisSentinel s : group.sentinels()) {
          assertThat(listed(s)).contains(master.host() + ":0");
          List<String> known = knownReplicas(s);
          assertThat(known).contains("sentinel known-replica " + NAME + " " + master.host() + " 0");
          assertThat(known).noneMatch(l -> l.endsWith(" -1"));
          control.addAll(known);
        }
        // SENTINEL RESET clears it; the archiver, still attached, does not come back with the
        // replicas the sentinels rediscover from the master's INFO
        for (RedisSentinel s : group.sentinels()) {
          assertThat(s.sentinel("reset", NAME)).isEqualTo(1L);
        }
        Await.until(
            Duration.ofSeconds(30),
            "every sentinel to rediscover exactly the two replicas",
            () -> group.sentinels().stream().allMatch(s -> listed(s).equals(servers)));

        // check: nothing about the archiver but a PASS, the rest as without it (once the sentinels,
        // which ask a rediscovered replica for its INFO only every 10 s, see the links up again)
        DeploymentChecker.Report report =
            Await.value(
                Duration.ofSeconds(30),
                "the check to find what it found before the archiver: " + baseline,
                () -> {
                  DeploymentChecker.Report r = checker.check();
                  return notPassing(r.results()).equals(baseline) ? r : null;
                });
        assertThat(notPassing(report.results())).isEqualTo(baseline);
        assertThat(report.results())
            .filteredOn(r -> r.name().startsWith("archiver "))
            .singleElement()
            .satisfies(r -> assertThat(r.level()).isEqualTo(CheckResult.Level.PASS));
        assertThat(report.results()).noneMatch(r -> r.name().contains(":-1"));

        // a failover with the archiver attached: a server is chosen and it ends normally
        assertThat(group.sentinels().get(0).sentinel("failover", NAME)).isEqualTo("OK");
        Await.until(
            Duration.ofSeconds(30),
            "every sentinel to report a new master and no failover in progress",
            () ->
                group.sentinels().stream()
                    .allMatch(
                        s -> {
                          List<?> m = (List<?>) s.sentinel("master", NAME);
                          return !field(m, "port").equals(Integer.toString(master.port()))
                              && !field(m, "flags").contains("failover_in_progress");
                        }));
        Topology after = reader.read(true);
        assertThat(servers).contains(after.master().address());
        for (RedisSentinel s : group.sentinels()) {
          String log = Files.readString(s.logFile());
          assertThat(log).as("sentinel %d", s.port()).doesNotContain("-1 @ " + NAME);
          assertThat(log).doesNotContain("+failover-end-for-timeout");
        }

        // the archiver follows the failover to the new master, where no sentinel records it either
        RedisServer newMaster =
            group.replicas().stream()
                .filter(r -> address(r).equals(after.master().address()))
                .findFirst()
                .orElseThrow();
        awaitArchiverOnline(newMaster);
        everySentinelReadTheMasterSince(System.nanoTime());
        assertThat(reader.read(true).ownReplicas())
            .singleElement()
            .satisfies(a -> assertThat(a.kind()).isEqualTo(ArchiverAnnouncement.Kind.ARCHIVER));
        // afterwards no sentinel lists it and no config file holds it: only the old master and
        // the other replica
        Set<String> others = new TreeSet<>(List.of(address(master)));
        group.replicas().stream().filter(r -> r != newMaster).forEach(r -> others.add(address(r)));
        for (RedisSentinel s : group.sentinels()) {
          assertThat(listed(s)).as("sentinel %d", s.port()).isEqualTo(others);
          assertThat(knownReplicas(s))
              .as("sentinel %d", s.port())
              .containsExactlyInAnyOrderElementsOf(
                  others.stream()
                      .map(a -> "sentinel known-replica " + NAME + " " + a.replace(':', ' '))
                      .toList());
        }
        assertThat(archiver.status().durableOffset()).isPositive();
      } finally {
        if (noPort != null) {
          noPort.close();
        }
        archiver.stop();
        thread.join(30_000);
      }
      assertThat(thread.isAlive()).as("archiver thread stopped").isFalse();
    }
    assertThat(control).as("what the announcement prevents").isNotEmpty();
  }
}
