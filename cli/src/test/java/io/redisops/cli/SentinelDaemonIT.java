package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redisops.testkit.Await;
import io.redisops.testkit.RedisGroupExtension;
import io.redisops.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover-aware backups with two daemons (real processes) for the same master name, each with its
 * own local Redis: one backup per schedule, taken only by the daemon whose Redis is the chosen
 * source; then kill -9 of the master: {@code sentinel watch --json} shows the failover, the
 * topology follows, the next scheduled backup comes from the new master and lands in the same
 * dataset, and the failover events reach the notification hook once each.
 */
class SentinelDaemonIT {
  @RegisterExtension
  static final RedisGroupExtension group =
      RedisGroupExtension.builder().config("save", "3600 1").build();

  @TempDir Path tmp;

  private Path config(String name, RedisServer local, Path repo) throws Exception {
    return config(name, local, repo, null);
  }

  /**
   * With {@code hookFile}, the notify command appends every event (one JSON object per line) to it.
   */
  private Path config(String name, RedisServer local, Path repo, Path hookFile) throws Exception {
    String nodes =
        group.sentinels().stream()
            .map(s -> "\"" + s.host() + ":" + s.port() + "\"")
            .collect(Collectors.joining(", "));
    return Files.writeString(
        tmp.resolve(name + ".yaml"),
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
            "  path: " + repo,
            "schedule:",
            "  hourly: \"0/5 * * * * ?\"", // every 5 s, so that several slots pass within the test
            "  daily: \"0 0 3 1 1 ?\"",
            "http:",
            "  listen: \"off\"", // two daemons on one host: not both on the default port
            hookFile == null
                ? ""
                : "notify:\n  command: [\"/bin/sh\", \"-c\", \"cat >> "
                    + hookFile
                    + "; echo >> "
                    + hookFile
                    + "\"]",
            ""));
  }

  private static List<JsonNode> manifests(Path repo) {
    return RepoTree.backupFolders(repo, "mymaster").stream()
        .map(d -> d.resolve("manifest.json"))
        .filter(Files::isRegularFile)
        .map(RepoTree::json)
        .toList();
  }

  private static int sourcePort(JsonNode manifest) {
    return manifest.get("source").get("port").asInt();
  }

  @Test
  void oneDaemonBacksUpPerScheduleAndTheBackupsFollowAFailover() throws Exception {
    RedisServer master = group.master();
    RedisServer heir = group.replicas().get(0);
    RedisServer other = group.replicas().get(1);
    // make the heir the sentinels' choice, so that the daemon on it is the one that must take over
    other.sync().configSet("replica-priority", "200");
    Path repo = tmp.resolve("repo");
    Path hook = tmp.resolve("notifications.jsonl");
    String sentinels =
        group.sentinels().stream()
            .map(s -> s.host() + ":" + s.port())
            .collect(Collectors.joining(","));
    try (RedisOpsProcess.Background watch =
            RedisOpsProcess.of("--json", "sentinel", "--sentinel", sentinels, "watch").start();
        RedisOpsProcess.Background onMaster =
            RedisOpsProcess.of("-c", config("a", master, repo).toString(), "daemon").start();
        RedisOpsProcess.Background onHeir =
            RedisOpsProcess.of("-c", config("b", heir, repo, hook).toString(), "daemon").start()) {

      // before the failover: the master's daemon takes every backup, the heir's skips and says why
      Await.until(
          Duration.ofSeconds(90),
          "three backups of mymaster and a skip by the heir's daemon",
          () ->
              manifests(repo).size() >= 3
                  && onHeir.stderrSoFar().contains("skipped: the chosen source is the master"));
      assertThat(manifests(repo))
          .allSatisfy(m -> assertThat(sourcePort(m)).isEqualTo(master.port()));
      assertThat(manifests(repo))
          .allSatisfy(m -> assertThat(m.get("dataset").asText()).isEqualTo("mymaster"));
      assertThat(onHeir.stderrSoFar()).doesNotContain("starting from");
      // one backup per schedule, not two: every backup was stored by the master's daemon (its log
      // names each one; the log line follows the manifest, hence the wait), none by the heir's.
      // (Not by the snapshot times: under load a late slot's backup may share a slot's 5 s.)
      List<String> ids = manifests(repo).stream().map(m -> m.get("id").asText()).toList();
      Await.until(
          Duration.ofSeconds(30),
          "the master's daemon to have logged storing each of " + ids,
          () ->
              ids.stream()
                  .allMatch(id -> onMaster.stderrSoFar().contains("backup " + id + " done")));
      assertThat(onHeir.stderrSoFar()).doesNotContain(" done (");

      Await.until(
          Duration.ofSeconds(30),
          "every sentinel to know the other replica's priority 200",
          () ->
              group.sentinels().stream()
                  .allMatch(
                      s ->
                          s.sentinel("replicas", "mymaster")
                              .toString()
                              .contains("slave-priority, 200")));
      Await.until(
          Duration.ofSeconds(60),
          "the watcher to be subscribed",
          () -> watch.stderrSoFar().contains("watching the sentinels"));

      int before = manifests(repo).size();
      master.kill9();

      Await.until(
          Duration.ofSeconds(60),
          "a backup of mymaster taken from the new master " + heir,
          () -> manifests(repo).stream().anyMatch(m -> sourcePort(m) == heir.port()));
      // The heir's daemon read the highest-epoch view; the first sentinel (asked by currentMaster)
      // may learn the new configuration from the others' hello messages only later.
      Await.until(
          Duration.ofSeconds(30),
          "the first sentinel to name the heir " + heir + " as master",
          () -> group.currentMaster() == heir);
      JsonNode fromHeir =
          manifests(repo).stream()
              .filter(m -> sourcePort(m) == heir.port())
              .findFirst()
              .orElseThrow();
      assertThat(fromHeir.get("dataset").asText()).isEqualTo("mymaster");
      assertThat(fromHeir.get("source").get("role").asText()).isEqualTo("master");
      assertThat(manifests(repo).size()).isGreaterThan(before);
      assertThat(onHeir.stderrSoFar()).contains("starting from " + heir.uri());
      // The old master's daemon decides at its own pace (a slot, a retry after a refused
      // connection): no order with the heir's backup.
      Await.until(
          Duration.ofSeconds(60),
          "the old master's daemon to skip, the heir being the source",
          () -> onMaster.stderrSoFar().contains("skipped"));

      // watch shows the failover, and its view follows to the new master
      String heirAddress = heir.host() + ":" + heir.port();
      Await.until(
          Duration.ofSeconds(30),
          "watch to show the switch and the new topology",
          () ->
              watch.stdoutSoFar().contains("\"event\":\"+switch-master\"")
                  && watch
                      .stdoutSoFar()
                      .contains("\"instance\":\"master mymaster " + heirAddress + "\""));
      // The other sentinels publish +switch-master once they hear of the new configuration
      // (hello messages every 2 s): await all three rather than the first.
      Await.until(
          Duration.ofSeconds(30),
          "every sentinel's +switch-master on watch",
          () -> switchMasterSentinels(watch.stdoutSoFar()) == 3);
      List<JsonNode> events = watch.stdoutSoFar().lines().map(RepoTree::json).toList();
      assertThat(events)
          .anySatisfy(
              e -> {
                assertThat(e.get("event").asText()).isEqualTo("+odown");
                assertThat(e.get("meaning").asText())
                    .isEqualTo("master considered down by the quorum");
              });
      assertThat(events).anySatisfy(e -> assertThat(e.get("event").asText()).isEqualTo("+sdown"));
      assertThat(
              events.stream()
                  .filter(e -> e.get("event").asText().equals("+switch-master"))
                  .map(e -> e.get("sentinel").asText())
                  .distinct()
                  .count())
          .as("every sentinel publishes +switch-master")
          .isEqualTo(3);

      // the notification hook hears each failover event once, though every sentinel publishes it
      Await.until(
          Duration.ofSeconds(10),
          "the heir's daemon to report the switch",
          () -> onHeir.stderrSoFar().contains("sentinel +switch-master"));
      assertThat(count(onHeir.stderrSoFar(), "sentinel +switch-master")).isEqualTo(1);
      assertThat(onHeir.stderrSoFar()).contains("sentinel +odown");
      Await.until(
          Duration.ofSeconds(20),
          "the notify command to receive the switch",
          () -> read(hook).contains("\"event\":\"sentinel_switch_master\""));
      List<JsonNode> notices =
          Files.readString(hook).lines().filter(l -> !l.isBlank()).map(RepoTree::json).toList();
      assertThat(
              notices.stream()
                  .filter(n -> n.get("event").asText().equals("sentinel_switch_master"))
                  .toList())
          .singleElement()
          .satisfies(
              n -> {
                assertThat(n.get("dataset").asText()).isEqualTo("mymaster");
                assertThat(n.get("instance").asText()).endsWith("-> " + heirAddress);
              });
      assertThat(notices)
          .anySatisfy(n -> assertThat(n.get("event").asText()).isEqualTo("sentinel_odown"));

      report(watch.stdoutSoFar(), onHeir.stderrSoFar(), heirAddress);
      onMaster.terminate();
      onHeir.terminate();
      watch.terminate();
      assertThat(onMaster.await(Duration.ofSeconds(60)).exitCode()).isZero();
      assertThat(onHeir.await(Duration.ofSeconds(60)).exitCode()).isZero();
      RedisOpsProcess.Result w = watch.await(Duration.ofSeconds(30));
      assertThat(w.exitCode()).as(w.describe()).isZero();
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (java.io.IOException e) {
      return ""; // being appended to by the hook: read it again at the next poll
    }
  }

  /** How many distinct sentinels a watch output shows publishing +switch-master. */
  private static long switchMasterSentinels(String watchOut) {
    return watchOut
        .lines()
        .map(RepoTree::json)
        .filter(e -> e.get("event").asText().equals("+switch-master"))
        .map(e -> e.get("sentinel").asText())
        .distinct()
        .count();
  }

  private static long count(String text, String what) {
    return text.lines().filter(l -> l.contains(what)).count();
  }

  /**
   * Prints how long the daemon's view took to follow the first +switch-master (a figure, not an
   * assertion).
   */
  private static void report(String watchOut, String daemonErr, String newMaster) {
    Instant firstSwitch =
        watchOut
            .lines()
            .map(RepoTree::json)
            .filter(e -> e.get("event").asText().equals("+switch-master"))
            .map(e -> Instant.parse(e.get("time").asText()))
            .min(Instant::compareTo)
            .orElse(null);
    Matcher m =
        Pattern.compile("(?m)^(\\S+ \\S+) INFO .*mymaster: master " + Pattern.quote(newMaster))
            .matcher(daemonErr);
    if (firstSwitch != null && m.find()) {
      Instant followed =
          LocalDateTime.parse(m.group(1), DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS"))
              .atZone(ZoneId.systemDefault())
              .toInstant();
      System.out.println(
          "FIGURE daemon source view followed +switch-master after "
              + Duration.between(firstSwitch, followed).toMillis()
              + " ms");
    }
  }
}
