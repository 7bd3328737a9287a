package io.redisops.recovery.restore;

import static io.redisops.recovery.restore.RestoreSupport.backup;
import static io.redisops.recovery.restore.RestoreSupport.context;
import static io.redisops.recovery.restore.RestoreSupport.dump;
import static io.redisops.recovery.restore.RestoreSupport.service;
import static io.redisops.recovery.restore.RestoreSupport.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.DatasetLock;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.recovery.kernel.ServiceCommands;
import io.redisops.redis.RedisEndpoint;
import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.SentinelEvent;
import io.redisops.sentinel.SentinelEvents;
import io.redisops.sentinel.SentinelTarget;
import io.redisops.testkit.Await;
import io.redisops.testkit.DataFixture;
import io.redisops.testkit.KeyspaceDump;
import io.redisops.testkit.ProcessRegistry;
import io.redisops.testkit.RedisGroupExtension;
import io.redisops.testkit.RedisSentinel;
import io.redisops.testkit.RedisServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore of the master of a real Sentinel group (master, 2 replicas, 3 sentinels, down-after 1
 * s) that keeps it down for more than 3 x down-after: its start command waits 4 s before it starts
 * redis-server (a slow service start, honestly slow). No failover happens, the replicas end with
 * the restored data, and the sentinels' settings and the replicas' priorities are as before: after
 * a success, after a failure rolled back, and after a kill followed by {@code --resume} or {@code
 * --rollback}. The group is shared by the tests; each brings its own data.
 */
class SentinelRestoreIT {
  private static final Duration DOWN_AFTER = Duration.ofSeconds(1);

  @RegisterExtension
  static final RedisGroupExtension group =
      RedisGroupExtension.builder().replicas(2).sentinels(3).downAfter(DOWN_AFTER).build();

  @TempDir Path tmp;

  private final List<String> report = Collections.synchronizedList(new ArrayList<>());
  private final List<SentinelEvent> events = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Instant> finishedAt = new java.util.concurrent.ConcurrentHashMap<>();
  private SentinelClient client;
  private SentinelEvents subscription;
  private BackupContext c;

  @BeforeEach
  void subscribe() {
    client = new SentinelClient();
    subscription = new SentinelEvents(client, group.masterName(), Clock.systemUTC());
    subscription.addListener(events::add);
    subscription.subscribe(sentinels(), Duration.ofSeconds(1));
    Await.until(
        Duration.ofSeconds(10), "subscribed to 3 sentinels", () -> subscription.subscribed() == 3);
    c = context(tmp.resolve("repo"));
  }

  @AfterEach
  void unsubscribe() {
    subscription.close();
    client.close();
  }

  @AfterAll
  static void stopRestoredMaster() {
    ProcessRegistry.stopByPidFile(pidfile());
  }

  private static Path pidfile() {
    return group.master().dir().resolve("restored.pid");
  }

  private static List<RedisEndpoint> sentinels() {
    return group.sentinels().stream()
        .map(s -> RedisEndpoint.parse("redis://127.0.0.1:" + s.port()))
        .toList();
  }

  private static RestoreService.Target target(ServiceCommands commands) {
    RedisServer m = group.master();
    RedisEndpoint ep = RedisEndpoint.parse(m.uriWithCredentials());
    return new RestoreService.Target(
        "ds", ep, null, commands, new SentinelTarget(group.masterName(), sentinels(), ep));
  }

  /** Waits 4 s (over 3 x down-after), then starts the master again; adopted by the reaper. */
  private static ServiceCommands slowStart(String before) {
    RedisServer m = group.master();
    return new ServiceCommands(
        List.of(
            "sh",
            "-c",
            "sleep 4; "
                + before
                + "exec redis-server "
                + m.configFile()
                + " --daemonize yes --pidfile "
                + pidfile()),
        null);
  }

  private final RestoreListener listener =
      new RestoreListener() {
        @Override
        public void stepFinished(
            int n, int total, RestoreStep step, Duration took, String outcome) {
          finishedAt.put(step.name(), Instant.now());
          report.add("done " + step.name() + ": " + outcome);
        }

        @Override
        public void stepFailed(int n, int total, RestoreStep step, Duration took, String reason) {
          report.add("FAILED " + step.name() + ": " + reason);
        }

        @Override
        public void notice(String message) {
          report.add(message);
        }
      };

  /** A listener that "dies" (as a killed process would) when the step {@code dieAt} starts. */
  private RestoreListener dyingAt(String dieAt) {
    return new RestoreListener() {
      @Override
      public void stepStarted(int number, int total, RestoreStep step, Instant at) {
        if (step.name().equals(dieAt)) {
          throw new IllegalStateException("the process died as step '" + dieAt + "' started");
        }
      }
    };
  }

  /**
   * A backup, the data it holds, and the data written over it afterwards (also on disk).
   *
   * @param backup the backup
   * @param backedUp its data: what a restore brings back
   * @param overwritten the data after it: what a rollback brings back
   */
  private record Fixture(
      Manifest backup,
      Map<Integer, Map<String, KeyspaceDump.KeyState>> backedUp,
      Map<Integer, Map<String, KeyspaceDump.KeyState>> overwritten) {}

  /** The data a backup is taken of, then other data written over it: what the restore undoes. */
  private Fixture backupThenOverwrite() {
    RedisServer m = group.master();
    with(
        m,
        r -> {
          r.flushall();
          DataFixture.fill(r, 1);
          return null;
        });
    Map<Integer, Map<String, KeyspaceDump.KeyState>> backedUp = dump(m);
    // A restore in the test before restarted the master; its replicas full-sync again, and SAVE
    // is refused while a sync's save child runs.
    awaitReplicasCaughtUp(m);
    Manifest backup = backup(c, m);
    awaitNoSave(m);
    with(
        m,
        r -> {
          r.flushall();
          r.set("written:after", "the backup");
          r.save(); // on disk too: what a rollback brings back
          return null;
        });
    Map<Integer, Map<String, KeyspaceDump.KeyState>> overwritten = dump(m);
    awaitReplicasHold(overwritten);
    return new Fixture(backup, backedUp, overwritten);
  }

  private static void awaitReplicasCaughtUp(RedisServer m) {
    long replicas = group.replicas().size();
    Await.until(
        Duration.ofSeconds(30),
        "every replica of " + m + " acknowledging its writes",
        () -> with(m, r -> r.waitForReplication((int) replicas, 1000)) >= replicas);
  }

  private static void awaitNoSave(RedisServer m) {
    Await.until(
        Duration.ofSeconds(30),
        m + " running no save child",
        () -> "0".equals(m.info("persistence", "rdb_bgsave_in_progress")));
  }

  private static void awaitReplicasHold(Map<Integer, Map<String, KeyspaceDump.KeyState>> data) {
    for (RedisServer r : group.replicas()) {
      Await.until(Duration.ofSeconds(30), r + " holding the data", () -> dump(r).equals(data));
    }
  }

  /** What must be as before: each sentinel's view and settings, each replica's priority. */
  private static Map<String, String> settings() {
    Map<String, String> out = new TreeMap<>();
    for (RedisSentinel s : group.sentinels()) {
      Map<String, String> m = s.sync().master(group.masterName());
      for (String k :
          List.of(
              "ip",
              "port",
              "quorum",
              "config-epoch",
              "down-after-milliseconds",
              "failover-timeout",
              "parallel-syncs")) {
        out.put(s.port() + " " + k, m.get(k));
      }
    }
    for (RedisServer r : group.replicas()) {
      out.put(r.port() + " replica-priority", r.sync().configGet("replica-priority").toString());
    }
    return out;
  }

  private static List<String> quorums() {
    return group.sentinels().stream()
        .map(s -> s.sync().master(group.masterName()).get("quorum"))
        .toList();
  }

  private void assertNoFailover() {
    List<String> seen = events.stream().map(e -> e.type() + " " + e.instance()).toList();
    assertThat(seen)
        .as("the sentinels saw the master down (for more than down-after)")
        .anyMatch(e -> e.startsWith("+sdown master"));
    assertThat(seen)
        .noneMatch(e -> e.startsWith("+odown"))
        .noneMatch(e -> e.startsWith("+try-failover"))
        .noneMatch(e -> e.startsWith("+switch-master"));
    assertThat(group.currentMaster()).isSameAs(group.master());
  }

  @Test
  void aRestoreThatKeepsTheMasterDownIsNotUndoneByAFailoverAndTheReplicasFollowIt()
      throws Exception {
    Fixture f = backupThenOverwrite();
    Manifest m = f.backup();
    Map<String, String> before = settings();
    AtomicReference<String> backupMeanwhile = new AtomicReference<>("not tried");
    RestoreListener probing =
        new RestoreListener() {
          @Override
          public void stepStarted(int n, int total, RestoreStep step, Instant at) {
            if (step.name().equals("start")) {
              // The daemon's scheduled backup of the dataset while its restore runs: the same lock.
              try {
                backup(c, group.master());
                backupMeanwhile.set("taken");
              } catch (RedisOpsException e) {
                // DatasetLock.Held is what the daemon's DatasetWorker defers as busy.
                backupMeanwhile.set(
                    (e instanceof DatasetLock.Held ? "held " : "")
                        + e.exitCode()
                        + " "
                        + e.getMessage());
              }
            }
          }

          @Override
          public void stepFinished(int n, int t, RestoreStep s, Duration took, String outcome) {
            listener.stepFinished(n, t, s, took, outcome);
          }

          @Override
          public void notice(String message) {
            listener.notice(message);
          }
        };

    RestoreReport r =
        service(c).restore(target(slowStart("")), Selection.byId(m.id()), p -> true, probing).get();
    ProcessHandle.of(RestoreSupport.pid(group.master())).ifPresent(ProcessRegistry::register);

    assertThat(r.steps())
        .extracting(RestoreReport.StepRecord::name)
        .containsExactly(
            "fetch",
            "hold-off",
            "stop",
            "quarantine",
            "place",
            "start",
            "check-keys",
            "verify",
            "replicas",
            "release");
    assertThat(Duration.between(finishedAt.get("stop"), finishedAt.get("start")))
        .as("the master was down for more than 3 x down-after")
        .isGreaterThan(DOWN_AFTER.multipliedBy(3));
    assertThat(backupMeanwhile.get())
        .startsWith("held " + ExitCode.REFUSED + " ")
        .contains("another redis-ops operation on dataset 'ds' is running");
    assertNoFailover();
    assertThat(dump(group.master())).isEqualTo(f.backedUp());
    // The restore said the replicas had resynchronised: they hold the restored data now, no wait.
    for (RedisServer replica : group.replicas()) {
      assertThat(dump(replica)).as(replica.toString()).isEqualTo(f.backedUp());
    }
    assertThat(report)
        .anyMatch(l -> l.startsWith("done replicas: every replica resynchronised"))
        .anyMatch(l -> l.startsWith("done release: failover of 'mymaster' given back"));
    assertThat(settings()).isEqualTo(before);
  }

  @Test
  void aFailedRestoreRolledBackLeavesNoFailoverAndTheSettingsAsBefore() throws Exception {
    Fixture f = backupThenOverwrite();
    Manifest m = f.backup();
    Map<String, String> before = settings();
    // Refused once after its wait (a unit that does not come up), then it starts: the rollback
    // needs it.
    Path flag = tmp.resolve("failed-once");
    ServiceCommands failingOnce =
        slowStart(
            "if [ ! -e "
                + flag
                + " ]; then touch "
                + flag
                + "; echo 'not ready' >&2; exit 7; fi; ");

    assertThatThrownBy(
            () ->
                service(c)
                    .restore(target(failingOnce), Selection.byId(m.id()), p -> true, listener))
        .isInstanceOfSatisfying(
            RedisOpsException.class,
            e ->
                assertThat(e.getMessage())
                    .contains("failed at step 'start'")
                    .contains("rolled back")
                    .contains("serves the original data again"));
    ProcessHandle.of(RestoreSupport.pid(group.master())).ifPresent(ProcessRegistry::register);

    assertThat(report).anyMatch(l -> l.startsWith("rollback: failover of 'mymaster' given back"));
    assertNoFailover();
    assertThat(dump(group.master())).isEqualTo(f.overwritten());
    awaitReplicasHold(f.overwritten());
    assertThat(settings()).isEqualTo(before);
  }

  @Test
  void aKilledRestoreKeepsFailoverHeldOffAndResumeFinishesIt() throws Exception {
    Fixture f = backupThenOverwrite();
    Manifest m = f.backup();
    Map<String, String> before = settings();
    RestoreService.Target t = target(slowStart(""));

    assertThatThrownBy(
            () -> service(c).restore(t, Selection.byId(m.id()), p -> true, dyingAt("start")))
        .hasMessageContaining("died");
    RestoreState saved = service(c).interrupted("ds").orElseThrow();
    assertThat(saved.failoverHoldOff().sentinels())
        .extracting(q -> q.quorum())
        .containsOnly(2); // what to put back
    assertThat(quorums()).containsOnly("4"); // still held off while nobody runs

    RestoreReport r = service(c).resume(t, lines -> true, listener);
    ProcessHandle.of(RestoreSupport.pid(group.master())).ifPresent(ProcessRegistry::register);

    assertThat(r.steps())
        .extracting(RestoreReport.StepRecord::name)
        .containsExactly("start", "check-keys", "verify", "replicas", "release");
    assertNoFailover();
    assertThat(dump(group.master())).isEqualTo(f.backedUp());
    for (RedisServer replica : group.replicas()) {
      assertThat(dump(replica)).as(replica.toString()).isEqualTo(f.backedUp());
    }
    assertThat(settings()).isEqualTo(before);
  }

  @Test
  void aKilledRestoreRolledBackGivesFailoverBackWithTheOriginalData() throws Exception {
    Fixture f = backupThenOverwrite();
    Manifest m = f.backup();
    Map<String, String> before = settings();
    RestoreService.Target t = target(slowStart(""));

    assertThatThrownBy(
            () -> service(c).restore(t, Selection.byId(m.id()), p -> true, dyingAt("start")))
        .hasMessageContaining("died");
    assertThat(quorums()).containsOnly("4");

    List<String> plan = new ArrayList<>();
    String summary = service(c).rollback(t, lines -> plan.addAll(lines), listener);
    ProcessHandle.of(RestoreSupport.pid(group.master())).ifPresent(ProcessRegistry::register);

    assertThat(plan).anyMatch(l -> l.contains("undo, last first: start, place, quarantine"));
    assertThat(summary).contains("serves the original data again");
    assertThat(report).anyMatch(l -> l.startsWith("rollback: failover of 'mymaster' given back"));
    assertNoFailover();
    assertThat(dump(group.master())).isEqualTo(f.overwritten());
    awaitReplicasHold(f.overwritten());
    assertThat(settings()).isEqualTo(before);
    assertThat(service(c).interrupted("ds")).isEmpty();
  }

  @Test
  void aReplicaThatDoesNotResynchroniseIsReportedAndTheRestoreStays() throws Exception {
    Fixture f = backupThenOverwrite();
    Map<String, String> before = settings();
    RedisServer stuck = group.replicas().get(1);
    // Its next handshake with the master (after the restart) fails AUTH: it cannot resynchronise.
    stuck.sync().configSet("masterauth", "wrong");
    try {
      assertThatThrownBy(
              () ->
                  service(c)
                      .resyncWithin(Duration.ofSeconds(10))
                      .restore(
                          target(slowStart("")),
                          Selection.byId(f.backup().id()),
                          p -> true,
                          listener))
          .isInstanceOfSatisfying(
              RedisOpsException.class,
              e -> {
                assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED);
                assertThat(e.getMessage())
                    .contains("(its data stays restored)")
                    .contains("1 of 2 replica(s) did not resynchronise")
                    .contains(":" + stuck.port() + ": link down");
              });
    } finally {
      stuck.sync().configSet("masterauth", "");
    }
    ProcessHandle.of(RestoreSupport.pid(group.master())).ifPresent(ProcessRegistry::register);

    assertThat(dump(group.master())).isEqualTo(f.backedUp());
    assertThat(service(c).interrupted("ds")).isEmpty();
    assertThat(report)
        .anyMatch(l -> l.startsWith("done release: failover of 'mymaster' given back"));
    assertNoFailover();
    awaitReplicasHold(f.backedUp());
    assertThat(settings()).isEqualTo(before);
  }
}
