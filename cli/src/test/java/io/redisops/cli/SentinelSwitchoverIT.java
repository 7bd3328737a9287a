package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redisops.testkit.Await;
import io.redisops.testkit.RedisGroupExtension;
import io.redisops.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 items 1 and 3 on one real group (master with persistence, two replicas, three sentinels,
 * down-after 1500 ms), run as the real jar: {@code sentinel switchover} with a writer running
 * throughout keeps every acknowledged write (and a failure after the pause ends it, puts the
 * priorities back and leaves the master), the same writer during {@code sentinel failover} (its
 * loss printed), and, after a kill -9 failover, {@code backup} of the Sentinel-configured dataset
 * takes the new master into the same dataset, {@code restore} plans on the new master, and {@code
 * --redis} still wins. Ordered: each step moves the master.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SentinelSwitchoverIT {
  @RegisterExtension
  static final RedisGroupExtension group =
      RedisGroupExtension.builder().config("save", "3600 1").build();

  @TempDir static Path tmp;

  private static String sentinels() {
    return group.sentinels().stream()
        .map(s -> s.host() + ":" + s.port())
        .collect(Collectors.joining(","));
  }

  private static String address(RedisServer s) {
    return s.host() + ":" + s.port();
  }

  private static RedisServer byAddress(String address) {
    return group.servers().stream()
        .filter(s -> address(s).equals(address))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no server of the group at " + address));
  }

  private static Map<String, String> priorities() {
    Map<String, String> p = new LinkedHashMap<>();
    for (RedisServer s : group.servers()) {
      if (s.isAlive()) {
        p.put(address(s), s.sync().configGet("replica-priority").get("replica-priority"));
      }
    }
    return p;
  }

  @Test
  @Order(1)
  void switchoverRefusesWhatItCannotUseAndAsksBeforeChangingAnything() {
    RedisServer master = group.currentMaster();
    RedisOpsProcess.Result notReplica =
        RedisOpsProcess.run(
            "sentinel", "--sentinel", sentinels(), "switchover", "--to", "127.0.0.1:1", "--yes");
    assertThat(notReplica.exitCode()).as(notReplica.describe()).isEqualTo(2);
    assertThat(notReplica.stderr())
        .as(notReplica.describe())
        .contains("--to 127.0.0.1:1 is not a replica of 'mymaster'");

    RedisOpsProcess.Result noTerminal =
        RedisOpsProcess.run("sentinel", "--sentinel", sentinels(), "switchover");
    assertThat(noTerminal.exitCode()).as(noTerminal.describe()).isEqualTo(5);
    assertThat(noTerminal.stdout())
        .contains("switch master 'mymaster' from " + address(master) + " to ")
        .contains("CLIENT PAUSE WRITE");
    assertThat(noTerminal.stderr()).contains("needs confirmation and there is no terminal");
    assertThat(group.currentMaster()).isSameAs(master);
  }

  @Test
  @Order(2)
  void aFailureAfterThePauseEndsItPutsThePrioritiesBackAndLeavesTheMaster() {
    RedisServer master = group.currentMaster();
    RedisServer target =
        group.servers().stream().filter(s -> s != master).reduce((a, b) -> b).orElseThrow();
    Map<String, String> prioritiesBefore = priorities();
    // a login that may do everything except, on the target alone, INFO: the catch-up (step 3)
    // fails after the writes were paused on the master and the other replica held back
    for (RedisServer s : group.servers()) {
      s.sync()
          .aclSetuser(
              "ops",
              io.lettuce.core.AclSetuserArgs.Builder.on()
                  .addPassword("ops-secret")
                  .allKeys()
                  .allChannels()
                  .allCommands()
                  .removeCommand(
                      s == target
                          ? io.lettuce.core.protocol.CommandType.INFO
                          : io.lettuce.core.protocol.CommandType.DEBUG));
    }
    try {
      RedisOpsProcess.Result r =
          RedisOpsProcess.run(
              "--redis",
              "redis://ops:ops-secret@" + address(master),
              "sentinel",
              "--sentinel",
              sentinels(),
              "switchover",
              "--to",
              address(target),
              "--yes");
      assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
      assertThat(r.stdout()).as(r.describe()).contains("replica-priority put back on");
      assertThat(r.stderr())
          .as(r.describe())
          .contains("switchover of 'mymaster' stopped")
          .contains("writes resumed on " + address(master) + ", which is still the master")
          .doesNotContain("ops-secret");
      assertThat(r.stdout() + r.stderr()).doesNotContain("CLIENT UNPAUSE");
    } finally {
      group.servers().forEach(s -> s.sync().aclDeluser("ops"));
    }
    assertThat(group.currentMaster()).isSameAs(master);
    assertThat(priorities()).as("replica priorities put back").isEqualTo(prioritiesBefore);
  }

  @Test
  @Order(3)
  void switchoverWithAWriterRunningKeepsEveryAcknowledgedWrite() throws Exception {
    RedisServer before = group.currentMaster();
    RedisServer target =
        group.servers().stream().filter(s -> s != before).reduce((a, b) -> b).orElseThrow();
    Map<String, String> prioritiesBefore = priorities();
    List<String> acked;
    JsonNode doc;
    Duration longestGap;
    try (AckedWriter writer = new AckedWriter(group.group(), "s:")) {
      Await.until(Duration.ofSeconds(20), "writes acknowledged", () -> writer.ackedCount() > 200);
      RedisOpsProcess.Result r =
          RedisOpsProcess.run(
              "--json",
              "sentinel",
              "--sentinel",
              sentinels(),
              "switchover",
              "--to",
              address(target),
              "--yes");
      assertThat(r.exitCode()).as(r.describe()).isZero();
      doc = RepoTree.json(r.stdout());
      int at = writer.ackedCount();
      Await.until(
          Duration.ofSeconds(30),
          "writes acknowledged by the new master",
          () -> writer.ackedCount() > at + 200);
      acked = writer.stop();
      longestGap = writer.longestGap();
    }
    assertThat(doc.get("verified").asBoolean()).isTrue();
    assertThat(doc.get("old_master").asText()).isEqualTo(address(before));
    assertThat(doc.get("new_master").asText()).isEqualTo(address(target));
    assertThat(group.currentMaster()).isSameAs(target);
    List<String> missing = AckedWriter.missingOn(target, "s:", acked);
    System.out.printf(
        "sentinel switchover with a writer: %d writes acknowledged, %d missing on the new master;"
            + " writes paused on the old master for %d ms (write_pause_ms); longest time between"
            + " two acknowledged writes seen by the writer: %d ms%n",
        acked.size(), missing.size(), doc.get("write_pause_ms").asLong(), longestGap.toMillis());
    assertThat(missing).as("acknowledged writes lost by the switchover").isEmpty();
    assertThat(doc.get("write_pause_ms").asLong()).isPositive();
    assertThat(priorities()).as("replica priorities put back").isEqualTo(prioritiesBefore);
  }

  @Test
  @Order(4)
  void theSameWriterDuringSentinelFailover() throws Exception {
    RedisServer before = group.currentMaster();
    List<String> acked;
    RedisServer now;
    try (AckedWriter writer = new AckedWriter(group.group(), "f:")) {
      Await.until(Duration.ofSeconds(20), "writes acknowledged", () -> writer.ackedCount() > 200);
      RedisOpsProcess.Result r =
          RedisOpsProcess.run("--json", "sentinel", "--sentinel", sentinels(), "failover", "--yes");
      assertThat(r.exitCode()).as(r.describe()).isZero();
      now = byAddress(RepoTree.json(r.stdout()).get("new_master").asText());
      assertThat(now).isNotSameAs(before);
      int at = writer.ackedCount();
      Await.until(
          Duration.ofSeconds(30),
          "writes acknowledged after the failover",
          () -> writer.ackedCount() > at + 200);
      acked = writer.stop();
    }
    // the old master drops what it took after the promotion once it follows the new master
    Await.until(
        Duration.ofSeconds(30),
        "the old master " + address(before) + " to follow " + address(now),
        () ->
            "slave".equals(before.info("replication", "role"))
                && "up".equals(before.info("replication", "master_link_status"))
                && String.valueOf(now.port()).equals(before.info("replication", "master_port")));
    List<String> missing = AckedWriter.missingOn(now, "f:", acked);
    System.out.printf(
        "sentinel failover with the same writer: %d writes acknowledged, %d lost%n",
        acked.size(), missing.size());
    assertThat(acked).isNotEmpty();
  }

  @Test
  @Order(5)
  void backupAfterAKill9FailoverTakesTheNewMasterIntoTheSameDataset() throws Exception {
    RedisServer victim = group.currentMaster();
    Path repo = tmp.resolve("repo");
    String nodes =
        group.sentinels().stream()
            .map(s -> "\"" + s.host() + ":" + s.port() + "\"")
            .collect(Collectors.joining(", "));
    Path config =
        Files.writeString(
            tmp.resolve("redis-ops.yaml"),
            String.join(
                "\n",
                "datasets:",
                "  - redis:",
                "      uri: " + victim.uri(),
                "    sentinel:",
                "      master: mymaster",
                "      nodes: [" + nodes + "]",
                "      backup-from: master",
                "repository:",
                "  path: " + repo,
                ""));
    victim.kill9();
    RedisServer heir =
        Await.value(
            Duration.ofSeconds(60),
            "the sentinels to name a new master",
            () -> {
              RedisServer m = group.currentMaster();
              return m != null && m != victim ? m : null;
            });
    // the backup asks the sentinels: wait until every one names the heir, its failover over (one
    // that still reports the old master with failover_in_progress makes the backup refuse)
    Await.until(
        Duration.ofSeconds(60),
        "every sentinel to name " + heir + " as master, flags 'master' only",
        () ->
            group.sentinels().stream()
                .filter(io.redisops.testkit.RedisProcess::isAlive)
                .allMatch(
                    s -> {
                      List<?> addr = (List<?>) s.sentinel("get-master-addr-by-name", "mymaster");
                      List<?> fields = (List<?>) s.sentinel("master", "mymaster");
                      int flags = fields.indexOf("flags");
                      return addr != null
                          && String.valueOf(heir.port()).equals(addr.get(1))
                          && flags >= 0
                          && "master".equals(fields.get(flags + 1));
                    }));

    RedisOpsProcess.Result r = RedisOpsProcess.run("-c", config.toString(), "--json", "backup");
    assertThat(r.exitCode()).as(r.describe()).isZero();
    JsonNode doc = RepoTree.json(r.stdout());
    assertThat(doc.get("backup").get("dataset").asText()).isEqualTo("mymaster");
    assertThat(doc.get("backup").get("source").get("port").asInt()).isEqualTo(heir.port());
    assertThat(doc.get("server").get("address").asText()).isEqualTo(address(heir));
    assertThat(doc.get("server").get("role").asText()).isEqualTo("master");
    assertThat(r.stderr())
        .as(r.describe())
        .contains("names the master " + address(heir) + " (backup-from master)");
    assertThat(RepoTree.backupFolders(repo, "mymaster")).hasSize(1);

    // a restore works on the current master (on this host): the plan names it
    RedisOpsProcess.Result restore =
        RedisOpsProcess.run("-c", config.toString(), "--json", "restore", "--latest", "--dry-run");
    assertThat(restore.exitCode()).as(restore.describe()).isZero();
    JsonNode plan = RepoTree.json(restore.stdout());
    assertThat(plan.get("target").get("address").asText()).endsWith(":" + heir.port());
    assertThat(plan.get("server").get("address").asText()).isEqualTo(address(heir));
    assertThat(plan.get("server").get("on_this_host").asBoolean()).isTrue();

    // --redis given explicitly still wins: no sentinel is asked, the dead server is named
    RedisOpsProcess.Result explicit =
        RedisOpsProcess.run("-c", config.toString(), "--redis", victim.uri(), "backup");
    assertThat(explicit.exitCode()).as(explicit.describe()).isEqualTo(1);
    assertThat(explicit.stderr())
        .as(explicit.describe())
        .contains(address(victim))
        .doesNotContain("the sentinels' view");
    assertThat(RepoTree.backupFolders(repo, "mymaster")).hasSize(1);
  }
}
