package io.redisops.sentinel;

import java.util.Map;

/**
 * Sentinel's event types in words (from the Sentinel documentation), for people reading {@code
 * sentinel watch}.
 */
final class EventMeanings {
  private EventMeanings() {}

  private static final Map<String, String> MEANINGS =
      Map.ofEntries(
          Map.entry("+reset-master", "master was reset"),
          Map.entry("+slave", "a new replica was detected and attached"),
          Map.entry("+failover-state-reconf-slaves", "failover: replicas are being reconfigured"),
          Map.entry(
              "+failover-detected",
              "a failover started by another sentinel or an external entity was detected"),
          Map.entry("+slave-reconf-sent", "the leader told a replica to follow the new master"),
          Map.entry("+slave-reconf-inprog", "a replica is being reconfigured to the new master"),
          Map.entry("+slave-reconf-done", "a replica finished syncing with the new master"),
          Map.entry("-dup-sentinel", "duplicate sentinel removed (it restarted)"),
          Map.entry("+sentinel", "a new sentinel for this master was detected"),
          Map.entry("+sdown", "instance is subjectively down (this sentinel got no valid reply)"),
          Map.entry("-sdown", "instance is no longer subjectively down"),
          Map.entry("+odown", "master considered down by the quorum"),
          Map.entry("-odown", "master no longer considered down by the quorum"),
          Map.entry("+new-epoch", "the current epoch was updated"),
          Map.entry(
              "+try-failover", "new failover in progress, waiting to be elected by the majority"),
          Map.entry(
              "+elected-leader",
              "this sentinel won the election for the epoch and leads the failover"),
          Map.entry("+vote-for-leader", "this sentinel voted for a failover leader"),
          Map.entry("+failover-state-select-slave", "failover: looking for a replica to promote"),
          Map.entry("no-good-slave", "failover: no replica fit to promote"),
          Map.entry("selected-slave", "failover: replica chosen for promotion"),
          Map.entry("+selected-slave", "failover: replica chosen for promotion"),
          Map.entry(
              "failover-state-send-slaveof-noone",
              "failover: turning the chosen replica into a master"),
          Map.entry(
              "+failover-state-send-slaveof-noone",
              "failover: turning the chosen replica into a master"),
          Map.entry(
              "+failover-state-wait-promotion",
              "failover: waiting for the chosen replica to become master"),
          Map.entry("+promoted-slave", "failover: the chosen replica is now master"),
          Map.entry(
              "failover-end-for-timeout",
              "failover ended by timeout; replicas will be reconfigured later"),
          Map.entry(
              "+failover-end-for-timeout",
              "failover ended by timeout; replicas will be reconfigured later"),
          Map.entry("failover-end", "failover ended: all replicas follow the new master"),
          Map.entry("+failover-end", "failover ended: all replicas follow the new master"),
          Map.entry("switch-master", "the master changed: clients must use the new address"),
          Map.entry("+switch-master", "the master changed: clients must use the new address"),
          Map.entry("+tilt", "TILT mode: this sentinel stops acting (clock jump or long pause)"),
          Map.entry("-tilt", "TILT mode left"),
          Map.entry(
              "+convert-to-slave",
              "a former master was turned into a replica of the current master"),
          Map.entry(
              "+fix-slave-config", "a replica followed the wrong master and was reconfigured"),
          Map.entry("+role-change", "an instance reported a different role"),
          Map.entry("-role-change", "an instance's role is as expected again"),
          Map.entry(
              "-failover-abort-not-elected",
              "failover aborted: this sentinel was not elected (no majority)"),
          Map.entry(
              "-failover-abort-no-good-slave",
              "failover aborted: no replica fit to promote (priority 0, down or lagging)"),
          Map.entry(
              "-failover-abort-slave-timeout",
              "failover aborted: the chosen replica was not promoted in time"),
          Map.entry("-failover-abort-master-is-back", "failover aborted: the master came back"),
          Map.entry("-failover-abort-timeout", "failover aborted: timeout"),
          Map.entry("-monitor-master", "sentinel stopped monitoring the master"),
          Map.entry("+monitor", "sentinel started monitoring the master"),
          Map.entry("+set", "a monitoring setting was changed"),
          Map.entry(
              "+config-update-from",
              "configuration updated from another sentinel with a newer epoch"));

  static String describe(String type) {
    String m = MEANINGS.get(type);
    if (m != null) {
      return m;
    }
    if (type.startsWith("-failover-abort")) {
      return "failover aborted";
    }
    return "sentinel event";
  }
}
