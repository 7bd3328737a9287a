package io.redisops.sentinel;

import io.lettuce.core.RedisCommandExecutionException;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.InfoParser;
import io.redisops.redis.RedisEndpoint;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a {@link Topology} by asking every sentinel ({@code SENTINEL MASTER / REPLICAS /
 * SENTINELS}): the configured ones first, then those they discovered. A sentinel that does not
 * answer is listed as unreachable, not dropped.
 */
public final class TopologyReader {
  private final SentinelClient client;
  private final SentinelTarget target;
  private final Clock clock;

  public TopologyReader(SentinelClient client, SentinelTarget target, Clock clock) {
    this.client = client;
    this.target = target;
    this.clock = clock;
    target.sentinels().forEach(client::trust);
  }

  public SentinelTarget target() {
    return target;
  }

  /** What one sentinel answered about the master (or why it did not). */
  record Answer(
      RedisEndpoint sentinel,
      boolean configured,
      Map<String, String> master,
      List<Map<String, String>> replicas,
      List<Map<String, String>> sentinels,
      String error,
      boolean unknownMaster) {
    boolean reachable() {
      return error == null || unknownMaster;
    }
  }

  /**
   * Reads the topology now.
   *
   * @param probeMaster also ask the master for its replication offset (to show replica lag in
   *     bytes) and for redis-ops' own replicas attached to it (the archiver; {@link
   *     Topology#ownReplicas}); best effort. Without it the reply has neither.
   * @throws RedisOpsException FAILED when no sentinel answers; NOT_FOUND, listing the names the
   *     sentinels know, when none of them monitors the master name
   */
  public Topology read(boolean probeMaster) {
    List<Answer> answers = new ArrayList<>();
    Set<String> asked = new HashSet<>();
    for (RedisEndpoint s : target.sentinels()) {
      if (asked.add(key(s.host(), s.port()))) {
        answers.add(ask(s, true));
      }
    }
    // Sentinels discovered by the configured ones are asked too: status must show all of them, and
    // one not in the
    // configuration still votes.
    for (Answer a : List.copyOf(answers)) {
      for (Map<String, String> other : a.sentinels()) {
        String host = other.get("ip");
        int port = Integer.parseInt(other.getOrDefault("port", "0"));
        if (host != null && port > 0 && asked.add(key(host, port))) {
          RedisEndpoint template = target.sentinels().get(0);
          answers.add(
              ask(
                  new RedisEndpoint(
                      host,
                      port,
                      template.tls(),
                      template.username(),
                      template.password(),
                      template.caFile()),
                  false));
        }
      }
    }
    List<Answer> knowing = answers.stream().filter(a -> a.error() == null).toList();
    if (knowing.isEmpty()) {
      if (answers.stream().anyMatch(Answer::unknownMaster)) {
        throw unknownMaster();
      }
      throw RedisOpsException.failed(
          "no sentinel answered about '"
              + target.masterName()
              + "': "
              + String.join(
                  "; ",
                  answers.stream().map(a -> a.sentinel().address() + " " + a.error()).toList())
              + "; check the sentinel addresses and that they run");
    }
    Answer best =
        knowing.stream()
            .max((a, b) -> Long.compare(epoch(a.master()), epoch(b.master())))
            .orElseThrow();
    Map<String, String> m = best.master();
    Set<String> masterFlags = flags(m.get("flags"));
    Topology.Instance master =
        new Topology.Instance(
            m.get("ip"),
            intOf(m.get("port"), 0),
            m.get("runid"),
            masterFlags,
            null,
            -1,
            null,
            -1,
            null);
    MasterProbe probe = probeMaster && !master.down() ? probeMaster(master) : MasterProbe.NONE;
    Long masterOffset = probe.offset();
    List<Topology.Instance> replicas = new ArrayList<>();
    for (Map<String, String> r : best.replicas()) {
      if (ArchiverAnnouncement.announced(intOf(r.get("port"), 0))) {
        continue; // redis-ops' own replica: Sentinel does not record these; never a replica here
      }
      long offset = longOf(r.get("slave-repl-offset"), 0);
      String mh = r.get("master-host");
      replicas.add(
          new Topology.Instance(
              r.get("ip"),
              intOf(r.get("port"), 0),
              r.get("runid"),
              flags(r.get("flags")),
              r.get("master-link-status"),
              offset,
              masterOffset == null ? null : Math.max(0, masterOffset - offset),
              intOf(r.getOrDefault("slave-priority", r.get("replica-priority")), 100),
              mh == null ? null : mh + ":" + r.get("master-port")));
    }
    List<Topology.SentinelState> sentinels = new ArrayList<>();
    for (Answer a : answers) {
      Set<String> seenFlags = new TreeSet<>();
      String runId = null;
      for (Answer other : knowing) {
        for (Map<String, String> s : other.sentinels()) {
          if (key(s.get("ip"), intOf(s.get("port"), 0))
              .equals(key(a.sentinel().host(), a.sentinel().port()))) {
            seenFlags.addAll(flags(s.get("flags")));
            runId = s.get("runid");
          }
        }
      }
      seenFlags.remove("sentinel");
      sentinels.add(
          new Topology.SentinelState(
              a.sentinel().host(),
              a.sentinel().port(),
              a.configured(),
              a.reachable(),
              a.error(),
              runId,
              a.master() == null ? null : a.master().get("ip") + ":" + a.master().get("port"),
              a.master() == null ? -1 : epoch(a.master()),
              seenFlags));
    }
    Topology t =
        new Topology(
            target.masterName(),
            master,
            replicas,
            sentinels,
            intOf(m.get("quorum"), 0),
            epoch(m),
            Duration.ofMillis(longOf(m.get("down-after-milliseconds"), 30000)),
            Duration.ofMillis(longOf(m.get("failover-timeout"), 180000)),
            masterOffset,
            clock.instant(),
            false,
            null,
            probe.ownReplicas());
    long answered = sentinels.stream().filter(Topology.SentinelState::reachable).count();
    if (answered < sentinels.size() / 2 + 1) {
      return t.asStale(
          answered + " of " + sentinels.size() + " sentinels answered: not a majority");
    }
    return t;
  }

  /**
   * The master names the sentinels monitor, to pick the only one when none was given.
   *
   * @throws RedisOpsException FAILED when no sentinel answers: an empty set would read as "nothing
   *     monitored", which is a different problem with a different fix
   */
  public Set<String> monitoredMasters() {
    Set<String> names = new TreeSet<>();
    List<String> errors = new ArrayList<>();
    boolean answered = false;
    for (RedisEndpoint s : target.sentinels()) {
      try {
        client.withSentinel(s, c -> c.masters()).forEach(m -> names.add(m.get("name")));
        answered = true;
      } catch (RuntimeException e) {
        errors.add(s.address() + " " + describe(e));
      }
    }
    if (!answered) {
      throw RedisOpsException.failed(
          "no sentinel answered: "
              + String.join("; ", errors)
              + "; check the sentinel addresses and that they run");
    }
    return names;
  }

  /** The master names the reachable sentinels know, for the "unknown master" error. */
  public Set<String> knownMasters() {
    Set<String> names = new TreeSet<>();
    for (RedisEndpoint s : target.sentinels()) {
      try {
        client.withSentinel(s, c -> c.masters()).forEach(m -> names.add(m.get("name")));
      } catch (RuntimeException ignored) {
        // an unreachable sentinel knows nothing we can list
      }
    }
    return names;
  }

  RedisOpsException unknownMaster() {
    Set<String> known = knownMasters();
    return RedisOpsException.notFound(
        "the sentinels monitor no master named '"
            + target.masterName()
            + "'; they know: "
            + (known.isEmpty() ? "no master at all" : String.join(", ", known))
            + "; use --master NAME");
  }

  private Answer ask(RedisEndpoint s, boolean configured) {
    try {
      return client.withSentinel(
          s,
          c -> {
            Map<String, String> master = c.master(target.masterName());
            return new Answer(
                s,
                configured,
                master,
                c.replicas(target.masterName()),
                SentinelClient.sentinels(c, target.masterName()),
                null,
                false);
          });
    } catch (RedisCommandExecutionException e) {
      boolean unknown = String.valueOf(e.getMessage()).contains("No such master");
      return new Answer(
          s,
          configured,
          null,
          List.of(),
          List.of(),
          unknown ? "does not monitor '" + target.masterName() + "'" : firstLine(e.getMessage()),
          unknown);
    } catch (RuntimeException e) {
      return new Answer(s, configured, null, List.of(), List.of(), describe(e), false);
    }
  }

  /** What the master itself said: its offset and redis-ops' replicas attached to it. */
  private record MasterProbe(Long offset, List<ArchiverAnnouncement.Attached> ownReplicas) {
    static final MasterProbe NONE = new MasterProbe(null, List.of());
  }

  private MasterProbe probeMaster(Topology.Instance master) {
    try {
      return client.withRedis(
          target.redisAt(master.host(), master.port()),
          c -> {
            String info = c.info("replication");
            String v = InfoParser.parse(info).get("master_repl_offset");
            return new MasterProbe(
                v == null ? null : Long.parseLong(v), ArchiverAnnouncement.parse(info));
          });
    } catch (RuntimeException e) {
      // lag and the archiver are then unknown; the sentinels' view stands on its own
      return MasterProbe.NONE;
    }
  }

  /** A short reason for a failed call: the root cause's message, one line. */
  static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    if (root instanceof java.net.ConnectException) {
      msg = "connection refused";
    }
    return "unreachable (" + firstLine(msg) + ")";
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  static Set<String> flags(String s) {
    return s == null || s.isEmpty() ? Set.of() : new TreeSet<>(Arrays.asList(s.split(",")));
  }

  static long epoch(Map<String, String> master) {
    return master == null ? -1 : longOf(master.get("config-epoch"), 0);
  }

  static int intOf(String s, int dflt) {
    try {
      return s == null ? dflt : Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  static long longOf(String s, long dflt) {
    try {
      return s == null ? dflt : Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  /**
   * Host and port as one key; host names are resolved so that {@code localhost:26379} and {@code
   * 127.0.0.1:26379} match.
   */
  static String key(String host, int port) {
    return canonicalHost(host) + ":" + port;
  }

  private static final Map<String, String> RESOLVED =
      java.util.Collections.synchronizedMap(new LinkedHashMap<>());

  /** The address a host name resolves to (cached), or the name itself when it does not resolve. */
  public static String canonicalHost(String host) {
    if (host == null) {
      return "";
    }
    return RESOLVED.computeIfAbsent(
        host,
        h -> {
          try {
            return InetAddress.getByName(h).getHostAddress();
          } catch (UnknownHostException e) {
            return h;
          }
        });
  }
}
