package io.redisops.sentinel;

import io.redisops.redis.InfoParser;
import io.redisops.redis.RedisEndpoint;
import io.redisops.time.Deadline;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Waits until replicas have resynchronised from a master: each says it is a replica of that master
 * with its link up and no sync in progress, its offset has reached the master's, and it holds as
 * many keys in every database as the master. Each server is asked itself (the sentinels refresh
 * their view of a replica only every 10 s).
 */
public final class ReplicaResync {
  private final SentinelClient client;
  private final SentinelTarget target;
  private final Clock clock;

  public ReplicaResync(SentinelClient client, SentinelTarget target, Clock clock) {
    this.client = client;
    this.target = target;
    this.clock = clock;
  }

  /**
   * The outcome.
   *
   * @param synced per replica that resynchronised: {@code host:port (offset N, K keys)}
   * @param missing per replica that did not within the bound: {@code host:port: what is missing}
   */
  public record Result(List<String> synced, List<String> missing) {
    public Result {
      synced = List.copyOf(synced);
      missing = List.copyOf(missing);
    }

    public boolean ok() {
      return missing.isEmpty();
    }
  }

  /**
   * Polls until every replica has resynchronised from {@code master} or {@code bound} passes.
   *
   * @param master {@code host:port} of the master
   * @param replicas {@code host:port} of each replica; redis-ops' own replicas (a port it
   *     announces, {@link ArchiverAnnouncement}) and port 0 are skipped
   */
  public Result await(String master, List<String> replicas, Duration bound) {
    Deadline d = Deadline.after(clock, bound);
    List<String> pending = new ArrayList<>();
    for (String r : replicas) {
      // redis-ops' own replicas (the archiver) are no servers to ask: never waited for
      if (!ArchiverAnnouncement.notAServer(port(r))) {
        pending.add(r);
      }
    }
    List<String> synced = new ArrayList<>();
    Map<String, String> why = new TreeMap<>();
    while (true) {
      MasterState m;
      try {
        m = masterState(master);
      } catch (RuntimeException e) {
        m = null;
        pending.forEach(r -> why.put(r, "the master " + master + " " + TopologyReader.describe(e)));
      }
      if (m != null) {
        for (String r : List.copyOf(pending)) {
          String missing = missing(r, master, m);
          if (missing == null) {
            pending.remove(r);
            why.remove(r);
            synced.add(r + " (offset " + m.offset + ", " + m.keys() + " keys)");
          } else {
            why.put(r, missing);
          }
        }
      }
      if (pending.isEmpty()) {
        return new Result(synced, List.of());
      }
      if (d.passed()) {
        return new Result(
            synced, pending.stream().map(r -> r + ": " + why.getOrDefault(r, "?")).toList());
      }
      Deadline.pause(Duration.ofMillis(200));
    }
  }

  private record MasterState(long offset, Map<String, Long> keyspace) {
    long keys() {
      return keyspace.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private MasterState masterState(String master) {
    return client.withRedis(
        endpoint(master),
        c -> {
          Map<String, String> repl = InfoParser.parse(c.info("replication"));
          Map<String, Long> keys = keyspace(c.info("keyspace"));
          return new MasterState(TopologyReader.longOf(repl.get("master_repl_offset"), 0), keys);
        });
  }

  private String missing(String replica, String master, MasterState m) {
    try {
      return client.withRedis(
          endpoint(replica),
          c -> {
            Map<String, String> info = InfoParser.parse(c.info("replication"));
            RedisEndpoint me = endpoint(master);
            if (!"slave".equals(info.get("role"))) {
              return "role " + info.get("role");
            }
            if (!FailoverHoldOff.sameServer(
                info.getOrDefault("master_host", ""),
                (int) TopologyReader.longOf(info.get("master_port"), 0),
                me.host(),
                me.port())) {
              return "follows " + info.get("master_host") + ":" + info.get("master_port");
            }
            if (!"up".equals(info.get("master_link_status"))
                || "1".equals(info.get("master_sync_in_progress"))) {
              return "link "
                  + info.get("master_link_status")
                  + ("1".equals(info.get("master_sync_in_progress")) ? ", sync in progress" : "");
            }
            long offset = TopologyReader.longOf(info.get("slave_repl_offset"), -1);
            if (offset < m.offset()) {
              return "offset " + offset + " behind the master's " + m.offset();
            }
            Map<String, Long> keys = keyspace(c.info("keyspace"));
            if (!keys.equals(m.keyspace())) {
              return "keys " + keys + ", the master has " + m.keyspace();
            }
            return null;
          });
    } catch (RuntimeException e) {
      return TopologyReader.describe(e);
    }
  }

  /** Keys per database from {@code INFO keyspace}: {@code db0=1200, db3=4}. */
  static Map<String, Long> keyspace(String info) {
    Map<String, Long> out = new TreeMap<>();
    InfoParser.parse(info)
        .forEach(
            (db, v) -> {
              if (db.startsWith("db")) {
                for (String part : v.split(",")) {
                  if (part.startsWith("keys=")) {
                    out.put(db, TopologyReader.longOf(part.substring(5), 0));
                  }
                }
              }
            });
    return out;
  }

  private static int port(String address) {
    return (int) TopologyReader.longOf(address.substring(address.lastIndexOf(':') + 1), 0);
  }

  private RedisEndpoint endpoint(String address) {
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return target.redisAt(host, Integer.parseInt(address.substring(colon + 1)));
  }
}
