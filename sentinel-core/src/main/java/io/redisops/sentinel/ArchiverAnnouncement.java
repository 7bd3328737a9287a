package io.redisops.sentinel;

import io.redisops.redis.InfoParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How redis-ops' own replicas (the point-in-time archiver, and a backup captured by replication)
 * announce themselves to a master, so that Sentinel never records them, and how redis-ops
 * recognises them in a master's {@code INFO replication}.
 *
 * <p>The rule: send {@code REPLCONF listening-port <port>} with a port outside 0..65535 ({@link
 * #ARCHIVER_PORT} -1 for the archiver, {@link #CAPTURE_PORT} -2 for a capture), and never {@code
 * REPLCONF ip-address}. Measured on Redis 7.0.15, 8.6.3 and Valkey 9.1.2 (docs/redis-facts.md,
 * "Sentinel and the archiver"): the master accepts any integer and lists the replica as {@code
 * slaveN:ip=<peer address>,port=-1,...}; a sentinel reading that line refuses to create a replica
 * for a port outside 0..65535 ({@code createSentinelAddr} in {@code sentinel.c}), silently, so the
 * archiver never appears in {@code SENTINEL REPLICAS}, in a {@code known-replica} line of a
 * sentinel config file, or among the replicas a sentinel can promote, and Sentinel sends it
 * nothing. The alternatives leave a phantom: no listening port (port 0, what {@code redis-cli
 * --replica} and older redis-ops captures show) or a port nobody listens on is recorded as a
 * replica that is {@code s_down,disconnected} forever, written to every sentinel's config file and
 * kept across failovers until {@code SENTINEL RESET}; a name in {@code ip-address} makes each
 * sentinel log {@code Failed to resolve hostname} every 10 s; a listening responder answering
 * {@code replica_announced:0} and {@code slave_priority:0} is hidden from {@code SENTINEL REPLICAS}
 * but still written to the config files, and after a failover it receives {@code SLAVEOF} and
 * {@code CONFIG REWRITE} and holds the failover's end until the failover timeout.
 */
public final class ArchiverAnnouncement {
  /** The listening port the archiver announces: outside 0..65535, so Sentinel ignores it. */
  public static final int ARCHIVER_PORT = -1;

  /** The listening port a backup captured by replication announces. */
  public static final int CAPTURE_PORT = -2;

  private ArchiverAnnouncement() {}

  /** Which of redis-ops' replicas a master lists. */
  public enum Kind {
    /** The point-in-time archiver (port -1). */
    ARCHIVER,
    /** A backup captured by replication (port -2). */
    CAPTURE;

    /** {@code archiver} or {@code capture}, as status and check show it. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One of redis-ops' replicas as the master lists it.
   *
   * @param kind archiver or capture
   * @param host the address the master sees it connect from
   * @param port the port it announced (-1 or -2)
   * @param state the master's replication state for it ({@code online}, {@code wait_bgsave}, {@code
   *     send_bulk})
   * @param ackOffset the offset it last acknowledged ({@code REPLCONF ACK})
   * @param ackAgeSeconds seconds since that acknowledgement (the master's {@code lag})
   * @param lagBytes the master's offset minus {@code ackOffset}, null when the master's offset is
   *     unknown
   */
  public record Attached(
      Kind kind,
      String host,
      int port,
      String state,
      long ackOffset,
      long ackAgeSeconds,
      Long lagBytes) {}

  /**
   * The commands the archiver sends after {@code AUTH} and before its {@code REPLCONF capa} and
   * {@code PSYNC}, each as its arguments; the master answers {@code +OK} to each. It must not send
   * {@code REPLCONF ip-address} and needs no listening socket.
   */
  public static List<List<String>> archiverHandshake() {
    return List.of(List.of("REPLCONF", "listening-port", Integer.toString(ARCHIVER_PORT)));
  }

  /** The same for a backup captured by replication. */
  public static List<List<String>> captureHandshake() {
    return List.of(List.of("REPLCONF", "listening-port", Integer.toString(CAPTURE_PORT)));
  }

  /** The kind of redis-ops replica that announces {@code port}, empty for any other replica. */
  public static Optional<Kind> kindOf(int port) {
    return switch (port) {
      case ARCHIVER_PORT -> Optional.of(Kind.ARCHIVER);
      case CAPTURE_PORT -> Optional.of(Kind.CAPTURE);
      default -> Optional.empty();
    };
  }

  /** True when {@code port} is one that redis-ops' own replicas announce. */
  public static boolean announced(int port) {
    return kindOf(port).isPresent();
  }

  /**
   * True when a replica Sentinel lists on {@code port} is no server it could promote: a port
   * redis-ops announces, or port 0 (a replica that announced no port, such as {@code redis-cli
   * --replica}; Sentinel records it and never reaches it).
   */
  public static boolean notAServer(int port) {
    return port == 0 || announced(port);
  }

  /**
   * redis-ops' replicas among the {@code slaveN:} lines of a master's {@code INFO replication}
   * (Redis 7.0: {@code slave0:ip=127.0.0.1,port=-1,state=online,offset=812,lag=0}; later versions
   * add fields, which are ignored).
   */
  public static List<Attached> parse(String infoReplication) {
    Map<String, String> info = InfoParser.parse(infoReplication);
    Long masterOffset = longOrNull(info.get("master_repl_offset"));
    List<Attached> out = new ArrayList<>();
    info.entrySet().stream()
        .filter(e -> e.getKey().matches("slave\\d+"))
        .sorted(
            (a, b) ->
                Integer.compare(
                    Integer.parseInt(a.getKey().substring(5)),
                    Integer.parseInt(b.getKey().substring(5))))
        .forEach(
            e -> {
              Map<String, String> f = fields(e.getValue());
              Long port = longOrNull(f.get("port"));
              if (port == null || port < Integer.MIN_VALUE || port > Integer.MAX_VALUE) {
                return;
              }
              kindOf(port.intValue())
                  .ifPresent(
                      kind -> {
                        long offset = TopologyReader.longOf(f.get("offset"), 0);
                        out.add(
                            new Attached(
                                kind,
                                f.getOrDefault("ip", "?"),
                                port.intValue(),
                                f.getOrDefault("state", "?"),
                                offset,
                                TopologyReader.longOf(f.get("lag"), 0),
                                masterOffset == null ? null : Math.max(0, masterOffset - offset)));
                      });
            });
    return out;
  }

  private static Map<String, String> fields(String value) {
    Map<String, String> f = new java.util.LinkedHashMap<>();
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        f.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    return f;
  }

  private static Long longOrNull(String s) {
    try {
      return s == null ? null : Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
