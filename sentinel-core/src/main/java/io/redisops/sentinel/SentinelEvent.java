package io.redisops.sentinel;

import java.time.Instant;
import java.util.Map;

/**
 * One event a sentinel published (its pub/sub channel is the event type, e.g. {@code
 * +switch-master}).
 *
 * @param time when we received it
 * @param sentinel {@code host:port} of the sentinel that published it
 * @param type the event type (the channel)
 * @param payload the message as published
 * @param instance the instance it is about, readable ({@code master mymaster 10.0.0.1:6379}, {@code
 *     slave 10.0.0.2:6379 of mymaster}); the payload when it has no instance form
 * @param masterName the master the event concerns, null when the payload names none
 */
public record SentinelEvent(
    Instant time,
    String sentinel,
    String type,
    String payload,
    String instance,
    String masterName) {

  /** Events after which the topology must be read again (the list of the design). */
  public static final java.util.Set<String> REFRESHING =
      java.util.Set.of(
          "+switch-master",
          "+sdown",
          "-sdown",
          "+odown",
          "-odown",
          "+convert-to-slave",
          "+failover-end",
          "+slave",
          "+sentinel",
          "+tilt",
          "-tilt",
          "+failover-end-for-timeout",
          "+reset-master");

  /** Parses a published message into an event. */
  public static SentinelEvent parse(Instant time, String sentinel, String type, String payload) {
    String[] w = payload == null ? new String[0] : payload.trim().split("\\s+");
    String instance = payload;
    String master = null;
    if (type.equals("+switch-master") && w.length >= 5) {
      // <name> <old-ip> <old-port> <new-ip> <new-port>
      master = w[0];
      instance = "master " + w[0] + " " + w[1] + ":" + w[2] + " -> " + w[3] + ":" + w[4];
    } else if (w.length >= 4
        && (w[0].equals("master") || w[0].equals("slave") || w[0].equals("sentinel"))) {
      // <type> <name> <ip> <port> [@ <master-name> <master-ip> <master-port>]
      int at = java.util.Arrays.asList(w).indexOf("@");
      if (w[0].equals("master")) {
        master = w[1];
        instance = "master " + w[1] + " " + w[2] + ":" + w[3];
      } else if (at > 0 && at + 1 < w.length) {
        master = w[at + 1];
        instance = w[0] + " " + w[2] + ":" + w[3] + " of " + master;
      }
    } else if (type.equals("+tilt") || type.equals("-tilt")) {
      instance = "sentinel " + sentinel;
    }
    return new SentinelEvent(time, sentinel, type, payload, instance, master);
  }

  /** What the event means, in words. */
  public String meaning() {
    return EventMeanings.describe(type);
  }

  /**
   * True for the events that go to the notification hook: failovers, objective downs, aborted
   * failovers, TILT.
   */
  public boolean isFailoverNotice() {
    return type.equals("+switch-master")
        || type.equals("+odown")
        || type.startsWith("-failover-abort")
        || type.equals("+tilt");
  }

  /** The JSON form of {@code sentinel watch --json}. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("time", time.toString());
    m.put("sentinel", sentinel);
    m.put("event", type);
    m.put("instance", instance);
    m.put("master", masterName);
    m.put("meaning", meaning());
    m.put("payload", payload);
    return m;
  }
}
