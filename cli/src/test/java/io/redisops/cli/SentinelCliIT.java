package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redisops.testkit.Await;
import io.redisops.testkit.RedisGroupExtension;
import io.redisops.testkit.RedisSentinel;
import io.redisops.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code sentinel status | check | failover} against a real group (one master with persistence, two
 * replicas, three sentinels, down-after 1500 ms), run as the real jar. Ordered: the failover and
 * the stopped sentinel change the group.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SentinelCliIT {
  @RegisterExtension
  static final RedisGroupExtension group =
      RedisGroupExtension.builder().config("save", "3600 1").build();

  private static final ObjectMapper JSON = new ObjectMapper();

  private static String sentinels() {
    return group.sentinels().stream()
        .map(s -> s.host() + ":" + s.port())
        .collect(Collectors.joining(","));
  }

  private static RedisOpsProcess.Result sentinel(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "sentinel";
    all[1] = "--sentinel";
    all[2] = sentinels();
    System.arraycopy(args, 0, all, 3, args.length);
    return RedisOpsProcess.run(all);
  }

  private static String address(RedisServer s) {
    return s.host() + ":" + s.port();
  }

  @Test
  @Order(1)
  void statusShowsMasterReplicasAndSentinelsInOneView() throws Exception {
    RedisOpsProcess.Result text = sentinel("status");
    assertThat(text.exitCode()).as(text.describe()).isZero();
    assertThat(text.stdout()).contains("master mymaster at " + address(group.master()) + ": ok");
    for (RedisServer r : group.replicas()) {
      assertThat(text.stdout())
          .as(text.describe())
          .containsPattern(address(r) + "\\s+ok\\s+ok\\s+" + address(group.master()));
    }
    for (RedisSentinel s : group.sentinels()) {
      assertThat(text.stdout())
          .as(text.describe())
          .containsPattern(s.host() + ":" + s.port() + "\\s+ok\\s+" + address(group.master()));
    }

    RedisOpsProcess.Result json =
        RedisOpsProcess.run("--json", "sentinel", "--sentinel", sentinels(), "status");
    assertThat(json.exitCode()).as(json.describe()).isZero();
    JsonNode doc = JSON.readTree(json.stdout());
    assertThat(doc.get("master_name").asText()).isEqualTo("mymaster");
    assertThat(doc.get("master").get("address").asText()).isEqualTo(address(group.master()));
    assertThat(doc.get("replicas")).hasSize(2);
    for (JsonNode r : doc.get("replicas")) {
      assertThat(r.get("link").asText()).isEqualTo("ok");
      assertThat(r.get("lag_bytes").isNumber()).as("lag known: %s", r).isTrue();
    }
    assertThat(doc.get("sentinels")).hasSize(3);
    assertThat(doc.get("quorum").asInt()).isEqualTo(2);
    assertThat(doc.get("stale").asBoolean()).isFalse();
  }

  @Test
  @Order(2)
  void checkPassesOnAHealthyGroup() throws Exception {
    RedisOpsProcess.Result r = sentinel("check");
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.stdout()).as(r.describe()).doesNotContainPattern("(?m)^FAIL");
    for (RedisSentinel s : group.sentinels()) {
      assertThat(r.stdout())
          .containsPattern(
              "PASS\\s+ckquorum " + s.host() + ":" + s.port() + "\\s+OK 3 usable Sentinels");
    }
    assertThat(r.stdout())
        .containsPattern("PASS\\s+sentinel-count")
        .containsPattern("PASS\\s+persistence")
        .containsPattern("PASS\\s+agreement")
        .containsPattern("PASS\\s+replica-priority")
        // every sentinel of a test runs on 127.0.0.1, and min-replicas-to-write is off by default
        .containsPattern("WARN\\s+distinct-hosts")
        .containsPattern("WARN\\s+min-replicas");

    RedisOpsProcess.Result json =
        RedisOpsProcess.run("--json", "sentinel", "--sentinel", sentinels(), "check");
    assertThat(json.exitCode()).as(json.describe()).isZero();
    JsonNode doc = JSON.readTree(json.stdout());
    assertThat(doc.get("fail").asInt()).isZero();
    assertThat(doc.get("checks").size()).isGreaterThan(10);
  }

  @Test
  @Order(3)
  void checkFailsOnAMasterWithoutPersistence() {
    group.master().sync().configSet("save", "");
    try {
      RedisOpsProcess.Result r = sentinel("check");
      assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
      assertThat(r.stdout())
          .as(r.describe())
          .containsPattern(
              "FAIL\\s+persistence\\s+the master has no persistence.*comes back empty");
    } finally {
      group.master().sync().configSet("save", "3600 1");
    }
  }

  @Test
  @Order(4)
  void unknownMasterNameExits4ListingTheNamesTheSentinelsKnow() {
    RedisOpsProcess.Result r = sentinel("--master", "nosuch", "status");
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(4);
    assertThat(r.stderrLines()).as(r.describe()).hasSize(1);
    assertThat(r.stderr()).contains("no master named 'nosuch'").contains("they know: mymaster");
  }

  @Test
  @Order(5)
  void failoverWithoutATerminalAndWithoutYesIsRefused() {
    RedisOpsProcess.Result r = sentinel("failover");
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(5);
    assertThat(r.stdout())
        .contains("fail over master 'mymaster' now at " + address(group.master()));
    assertThat(r.stderr())
        .contains("needs confirmation and there is no terminal")
        .contains("--yes");
    assertThat(group.currentMaster()).isSameAs(group.master());
  }

  @Test
  @Order(5)
  void failoverDeclinedOnATerminalChangesNothing() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.nio.file.Files.isExecutable(RedisOpsProcess.SCRIPT),
        "util-linux 'script' (a pseudo-terminal) is not installed");
    long epoch =
        JSON.readTree(
                RedisOpsProcess.run("--json", "sentinel", "--sentinel", sentinels(), "status")
                    .stdout())
            .get("config_epoch")
            .asLong();
    for (String answer : List.of("n\n", "yeah\n", "")) {
      RedisOpsProcess.Result r =
          RedisOpsProcess.of("sentinel", "--sentinel", sentinels(), "failover")
              .runOnTerminal(answer, RedisOpsProcess.DEFAULT_TIMEOUT);
      assertThat(r.exitCode()).as(r.describe()).isEqualTo(5);
      assertThat(r.stdout())
          .as(r.describe())
          .contains("fail over master 'mymaster' now at " + address(group.master()))
          .contains("Go ahead with failover of master 'mymaster'? [y/N]")
          .contains("not confirmed; nothing was changed");
    }
    assertThat(group.currentMaster()).isSameAs(group.master());
    JsonNode after =
        JSON.readTree(
            RedisOpsProcess.run("--json", "sentinel", "--sentinel", sentinels(), "status")
                .stdout());
    assertThat(after.get("config_epoch").asLong()).isEqualTo(epoch);
    assertThat(after.get("master").get("address").asText()).isEqualTo(address(group.master()));
  }

  @Test
  @Order(6)
  void failoverSucceedsAndIsVerified() throws Exception {
    String old = address(group.master());
    RedisOpsProcess.Result r =
        RedisOpsProcess.run("--json", "sentinel", "--sentinel", sentinels(), "failover", "--yes");
    assertThat(r.exitCode()).as(r.describe()).isZero();
    JsonNode doc = JSON.readTree(r.stdout());
    assertThat(doc.get("verified").asBoolean()).isTrue();
    assertThat(doc.get("old_master").asText()).isEqualTo(old);
    String now = doc.get("new_master").asText();
    assertThat(now).isNotEqualTo(old);
    // the document does not contradict itself: when the old master is said to follow, its own
    // topology shows it so
    if (doc.get("old_master_follows").asBoolean()) {
      JsonNode oldAsReplica = null;
      for (JsonNode rep : doc.get("topology").get("replicas")) {
        if (rep.path("address").asText().equals(old)) {
          oldAsReplica = rep;
        }
      }
      assertThat(oldAsReplica).as(doc.toString()).isNotNull();
      assertThat(oldAsReplica.get("link").asText()).as(doc.toString()).isEqualTo("ok");
    }
    // what the command verified, seen independently: every sentinel names the new master, and it is
    // one of ours
    for (RedisSentinel s : group.sentinels()) {
      List<?> addr = (List<?>) s.sentinel("get-master-addr-by-name", "mymaster");
      assertThat(addr.get(0) + ":" + addr.get(1)).isEqualTo(now);
    }
    RedisServer newMaster = group.currentMaster();
    assertThat(newMaster).isNotNull();
    assertThat(newMaster.info("replication", "role")).isEqualTo("master");
    for (RedisServer s : group.servers()) {
      if (s != newMaster) {
        // the old master is converted by Sentinel at its next INFO refresh (about 10 s after the
        // switch)
        Await.until(
            Duration.ofSeconds(30),
            s + " to follow the new master " + newMaster,
            () ->
                Integer.toString(newMaster.port()).equals(s.info("replication", "master_port"))
                    && "up".equals(s.info("replication", "master_link_status")));
      }
    }
  }

  @Test
  @Order(7)
  void aSentinelDownIsShownByStatusAndWarnedByCheck() {
    RedisSentinel third = group.sentinels().get(2);
    String addr = third.host() + ":" + third.port();
    third.stop();
    RedisOpsProcess.Result status = sentinel("status");
    assertThat(status.exitCode()).as(status.describe()).isZero();
    assertThat(status.stdout())
        .as(status.describe())
        .containsPattern(addr + "\\s+DOWN: unreachable");
    // once the others flag it, check still passes CKQUORUM with the two left, and warns about the
    // third
    Await.until(
        Duration.ofSeconds(30),
        "the other sentinels to see " + addr + " down",
        () ->
            group
                .sentinels()
                .get(0)
                .sentinel("sentinels", "mymaster")
                .toString()
                .contains("s_down"));
    RedisOpsProcess.Result check = sentinel("check");
    assertThat(check.exitCode()).as(check.describe()).isZero();
    assertThat(check.stdout())
        .as(check.describe())
        .containsPattern("WARN\\s+sentinels-reachable\\s+1 of 3 sentinels do not answer \\(" + addr)
        .containsPattern("WARN\\s+ckquorum " + addr)
        .containsPattern("PASS\\s+ckquorum .*OK 2 usable Sentinels");
  }
}
