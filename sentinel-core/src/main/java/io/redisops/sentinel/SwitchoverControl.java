package io.redisops.sentinel;

import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.InfoParser;
import io.redisops.redis.RedisEndpoint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A planned change of master that loses no acknowledged write ({@code sentinel switchover}):
 * replica priorities steer the sentinels to the chosen replica, writes on the master are paused
 * ({@code CLIENT PAUSE WRITE}, in bounded slices) until that replica has every write, {@code
 * SENTINEL FAILOVER} promotes it, the old master is made its replica before the pause ends (writes
 * that waited on it then fail with {@code READONLY} instead of landing on a server about to be
 * converted), and the outcome is verified as {@link FailoverControl} verifies a failover. Any
 * failure before the promotion ends the pause and leaves the old master in place; the priorities
 * are put back in every outcome.
 */
public final class SwitchoverControl {
  /**
   * One {@code CLIENT PAUSE} lasts at most this long and is renewed while needed: if redis-ops dies
   * mid-way, writes resume by themselves within it.
   */
  static final Duration PAUSE_SLICE = Duration.ofSeconds(2);

  /** How long the target may take to reach the master's offset once writes are paused. */
  static final Duration CATCH_UP = Duration.ofSeconds(5);

  /**
   * How long the sentinel may take to see the changed priorities: it reads a replica's {@code INFO}
   * every 10 s.
   */
  static final Duration PRIORITIES_SEEN = Duration.ofSeconds(25);

  private static final Duration POLL = Duration.ofMillis(10);

  private final SentinelClient client;
  private final TopologyReader reader;
  private final FailoverControl failover;
  private final Clock clock;

  public SwitchoverControl(SentinelClient client, TopologyReader reader, Clock clock) {
    this.client = client;
    this.reader = reader;
    this.failover = new FailoverControl(client, reader, clock);
    this.clock = clock;
  }

  /**
   * What the switchover will do, shown before asking.
   *
   * @param target the replica to promote
   * @param priorities the other replicas' {@code replica-priority} now (address to value), set to 0
   *     for the switchover and put back afterwards
   * @param sentinel the sentinel asked to run {@code SENTINEL FAILOVER}
   */
  public record Plan(
      Topology before,
      Topology.Instance target,
      Map<String, Integer> priorities,
      String sentinel,
      List<String> warnings) {
    public List<String> lines() {
      List<String> l = new ArrayList<>();
      String master = before.master().address();
      String target = this.target.address();
      l.add(
          "switch master '"
              + before.masterName()
              + "' from "
              + master
              + " to "
              + target
              + " (config epoch "
              + before.configEpoch()
              + "), losing no acknowledged write:");
      l.add(
          "  1. "
              + (priorities.isEmpty()
                  ? "no other replica to hold back"
                  : "set replica-priority 0 on "
                      + describe(priorities)
                      + " so that the sentinels can only promote "
                      + target
                      + "; wait until sentinel "
                      + sentinel
                      + " sees it"));
      l.add(
          "  2. pause writes on "
              + master
              + " (CLIENT PAUSE WRITE, "
              + PAUSE_SLICE.toMillis()
              + " ms at a time, renewed while needed)");
      l.add(
          "  3. wait until "
              + target
              + " has the master's replication offset (at most "
              + CATCH_UP.toMillis()
              + " ms)");
      l.add(
          "  4. ask sentinel "
              + sentinel
              + " to run SENTINEL FAILOVER "
              + before.masterName()
              + " and wait until it names "
              + target);
      l.add(
          "  5. make "
              + master
              + " a replica of "
              + target
              + ", then end the pause (writes that waited there fail with READONLY; clients"
              + " asking the sentinels move to "
              + target
              + ")");
      l.add(
          "  6. verify within the failover timeout ("
              + before.failoverTimeout().toMillis()
              + " ms) that "
              + target
              + " is master, the replicas follow it and all sentinels agree");
      l.add(
          "  7. "
              + (priorities.isEmpty()
                  ? "nothing to put back"
                  : "put replica-priority back on " + describe(priorities)));
      l.add(
          "a failure before step 4 ends the pause and leaves "
              + master
              + " master; the priorities are put back in every outcome");
      warnings.forEach(w -> l.add("warning: " + w));
      return l;
    }

    private static String describe(Map<String, Integer> priorities) {
      return priorities.entrySet().stream()
          .map(e -> e.getKey() + " (now " + e.getValue() + ")")
          .collect(Collectors.joining(", "));
    }
  }

  /**
   * The verified outcome.
   *
   * @param writePause how long writes were paused on the old master (from the pause to its end)
   * @param caughtUpOffset the replication offset both had when the failover was asked for
   * @param took from the start of the switchover to its verification
   */
  public record Result(
      String oldMaster,
      String newMaster,
      long configEpoch,
      Duration writePause,
      long caughtUpOffset,
      Duration took,
      Topology after,
      boolean oldMasterFollows) {}

  /**
   * Reads the group and checks the switchover can run.
   *
   * @param to the replica to promote ({@code host:port}), or null for the healthy replica with the
   *     most data (then the lowest priority number)
   * @throws RedisOpsException FAILED when the view cannot be trusted, the master is down or no
   *     replica fits; USAGE when {@code to} is not a replica of the master; REFUSED when it is not
   *     a healthy replica or has {@code replica-priority 0}
   */
  public Plan plan(String to) {
    Topology t = reader.read(true);
    if (t.stale()) {
      throw RedisOpsException.failed(
          "the sentinels' view is not trustworthy (" + t.staleReason() + "); nothing was changed");
    }
    if (t.master().down()) {
      throw RedisOpsException.failed(
          "the master "
              + t.master().address()
              + " is "
              + t.master().state()
              + ": a switchover needs a running master; use 'sentinel failover', or wait for the"
              + " sentinels' own failover");
    }
    Topology.Instance target = to == null ? best(t) : given(t, to);
    Map<String, Integer> priorities = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    for (Topology.Instance r : t.replicas()) {
      if (r.equals(target)) {
        continue;
      }
      if (r.down()) {
        warnings.add(
            "replica "
                + r.address()
                + " is "
                + r.state()
                + ": the sentinels cannot promote it, its priority is left as it is");
        continue;
      }
      priorities.put(r.address(), priorityOf(r));
    }
    offset(t.master(), "master_repl_offset"); // the master must answer us: we pause it
    t.sentinels().stream()
        .filter(s -> !s.reachable())
        .forEach(s -> warnings.add("sentinel " + s.address() + " does not answer"));
    String sentinel = t.reachableSentinels().get(0).address();
    return new Plan(t, target, priorities, sentinel, warnings);
  }

  private static Topology.Instance best(Topology t) {
    return t.replicas().stream()
        .filter(r -> r.healthyReplica() && r.priority() != 0)
        .max(
            Comparator.comparingLong(Topology.Instance::replOffset)
                .thenComparing(r -> -r.priority()))
        .orElseThrow(
            () ->
                RedisOpsException.failed(
                    "no replica of '"
                        + t.masterName()
                        + "' can be promoted (all down, unlinked or at replica-priority 0);"
                        + " nothing was changed"));
  }

  private static Topology.Instance given(Topology t, String to) {
    String wanted = key(to);
    Topology.Instance r =
        t.replicas().stream()
            .filter(x -> key(x.address()).equals(wanted))
            .findFirst()
            .orElseThrow(
                () ->
                    RedisOpsException.usage(
                        "--to "
                            + to
                            + " is not a replica of '"
                            + t.masterName()
                            + "'; its replicas: "
                            + (t.replicas().isEmpty()
                                ? "none"
                                : t.replicas().stream()
                                    .map(Topology.Instance::address)
                                    .collect(Collectors.joining(", ")))));
    if (!r.healthyReplica()) {
      throw RedisOpsException.refused(
          "--to "
              + r.address()
              + " is not a healthy replica ("
              + r.state()
              + ", link "
              + r.linkStatus()
              + "); nothing was changed");
    }
    if (r.priority() == 0) {
      throw RedisOpsException.refused(
          "--to "
              + r.address()
              + " has replica-priority 0 (it must never be promoted); set it above 0 first;"
              + " nothing was changed");
    }
    return r;
  }

  /** {@code host:port} with the host resolved, so that {@code localhost} matches 127.0.0.1. */
  private static String key(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      throw RedisOpsException.usage("--to " + address + ": give HOST:PORT");
    }
    String host = address.substring(0, colon).replace("[", "").replace("]", "");
    return TopologyReader.canonicalHost(host) + ":" + address.substring(colon + 1);
  }

  /** Runs the plan; every step is told to {@code progress}. */
  public Result run(Plan plan, Consumer<String> progress) {
    Run run = new Run(plan, progress);
    Thread cleanup = new Thread(run::cleanUp, "redis-ops-switchover-cleanup");
    // SIGINT or SIGTERM mid-way: the pause ends and the priorities go back before the JVM exits
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      return run.run();
    } finally {
      String left = run.cleanUp();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // the JVM is exiting: the hook runs the same (idempotent) clean-up
      }
      if (left != null) {
        progress.accept("warning: " + left);
      }
    }
  }

  /** One switchover's state: what is paused and which priorities to put back. */
  private final class Run {
    private final Plan plan;
    private final Consumer<String> progress;
    private final Topology.Instance master;
    private final RedisEndpoint masterEndpoint;
    private final Map<String, Integer> changed = new LinkedHashMap<>();
    private final Instant started;
    private Instant pausedAt;
    private Instant pauseRenewedAt;
    private Duration pause;
    private boolean cleaned;

    Run(Plan plan, Consumer<String> progress) {
      this.plan = plan;
      this.progress = progress;
      this.master = plan.before().master();
      this.masterEndpoint = endpoint(master.host(), master.port());
      this.started = clock.instant();
    }

    Result run() {
      try {
        holdBackOthers();
      } catch (RuntimeException e) {
        throw RedisOpsException.failed(
            "switchover of '"
                + plan.before().masterName()
                + "' stopped before writes were paused: "
                + message(e)
                + "; "
                + master.address()
                + " is still the master");
      }
      Topology.Instance target = plan.target();
      long offset;
      Instant sent = null;
      FailoverControl.Plan fp =
          new FailoverControl.Plan(
              plan.before(), plan.sentinel(), List.of(target.address()), plan.warnings());
      String promoted;
      try {
        offset =
            client.withRedis(
                masterEndpoint,
                m ->
                    client.withRedis(
                        endpoint(target.host(), target.port()), r -> pauseAndCatchUp(m, r)));
        sent = failover.start(fp);
        progress.accept("SENTINEL FAILOVER sent to " + plan.sentinel());
        promoted = awaitPromotion(fp, sent);
      } catch (RuntimeException e) {
        endPause();
        throw RedisOpsException.failed(
            "switchover of '"
                + plan.before().masterName()
                + "' stopped: "
                + message(e)
                + "; writes resumed on "
                + master.address()
                + (sent == null
                    ? ", which is still the master"
                    : "; SENTINEL FAILOVER was sent: check 'sentinel status'"));
      }
      // The old master stays paused until it follows the new one: a write it took now would be
      // lost when Sentinel converts it (about 10 s later).
      String followError = null;
      try {
        int colon = promoted.lastIndexOf(':');
        String host = promoted.substring(0, colon);
        String port = promoted.substring(colon + 1);
        client.withRedis(masterEndpoint, m -> m.replicaof(host, Integer.parseInt(port)));
      } catch (RuntimeException e) {
        followError = message(e);
      }
      endPause();
      progress.accept(
          "writes were paused on "
              + master.address()
              + " for "
              + pause.toMillis()
              + " ms; "
              + (followError == null
                  ? "it now follows " + promoted
                  : "it could not be made a replica of " + promoted + ": " + followError));
      if (!key(promoted).equals(key(target.address()))) {
        throw RedisOpsException.failed(
            "the sentinels promoted "
                + promoted
                + " instead of "
                + target.address()
                + "; check 'sentinel status'");
      }
      FailoverControl.Result r = failover.verify(fp, sent);
      return new Result(
          r.oldMaster(),
          r.newMaster(),
          r.configEpoch(),
          pause,
          offset,
          Duration.between(started, clock.instant()),
          r.after(),
          r.oldMasterFollows());
    }

    /** Step 1: the other replicas at priority 0, until the asked sentinel sees it. */
    private void holdBackOthers() {
      if (plan.priorities().isEmpty()) {
        return;
      }
      for (Map.Entry<String, Integer> e : plan.priorities().entrySet()) {
        setPriority(e.getKey(), 0);
        synchronized (this) {
          changed.put(e.getKey(), e.getValue());
        }
      }
      progress.accept(
          "replica-priority 0 on "
              + String.join(", ", plan.priorities().keySet())
              + "; waiting until sentinel "
              + plan.sentinel()
              + " sees it (it reads a replica's INFO every 10 s)");
      Instant deadline = clock.instant().plus(PRIORITIES_SEEN);
      RedisEndpoint sentinel = sentinelEndpoint();
      while (true) {
        List<Map<String, String>> replicas =
            client.withSentinel(sentinel, c -> c.replicas(plan.before().masterName()));
        List<String> notYet =
            replicas.stream()
                .filter(r -> plan.priorities().containsKey(r.get("ip") + ":" + r.get("port")))
                .filter(
                    r -> !"0".equals(r.getOrDefault("slave-priority", r.get("replica-priority"))))
                .map(r -> r.get("ip") + ":" + r.get("port"))
                .toList();
        if (notYet.isEmpty()) {
          return;
        }
        if (!clock.instant().isBefore(deadline)) {
          throw RedisOpsException.failed(
              "sentinel "
                  + plan.sentinel()
                  + " did not see replica-priority 0 on "
                  + String.join(", ", notYet)
                  + " within "
                  + PRIORITIES_SEEN.toSeconds()
                  + " s");
        }
        sleep(Duration.ofMillis(200));
      }
    }

    /** Steps 2 and 3: pause writes, wait until the target has every write; its offset. */
    private long pauseAndCatchUp(RedisCommands<String, String> m, RedisCommands<String, String> r) {
      synchronized (this) {
        pausedAt = clock.instant();
        pauseRenewedAt = pausedAt;
        clientPause(m);
      }
      Instant deadline = pausedAt.plus(CATCH_UP);
      while (true) {
        renewPause(m);
        long masterOffset = Long.parseLong(info(m).get("master_repl_offset"));
        Map<String, String> replica = info(r);
        long replicaOffset = Long.parseLong(replica.getOrDefault("slave_repl_offset", "-1"));
        // >=: the master may add a replication PING (not data) between the two reads
        if ("up".equals(replica.get("master_link_status")) && replicaOffset >= masterOffset) {
          progress.accept(
              "writes paused on "
                  + master.address()
                  + "; "
                  + plan.target().address()
                  + " has every write (offset "
                  + masterOffset
                  + ")");
          return masterOffset;
        }
        if (!clock.instant().isBefore(deadline)) {
          throw RedisOpsException.failed(
              plan.target().address()
                  + " did not catch up within "
                  + CATCH_UP.toMillis()
                  + " ms (offset "
                  + replicaOffset
                  + " of "
                  + masterOffset
                  + ", link "
                  + replica.get("master_link_status")
                  + ")");
        }
        sleep(POLL);
      }
    }

    /** Step 4: until the asked sentinel names a new master; its address. */
    private String awaitPromotion(FailoverControl.Plan fp, Instant sent) {
      Instant deadline = sent.plus(plan.before().failoverTimeout());
      RedisEndpoint sentinel = sentinelEndpoint();
      String name = fp.before().masterName();
      String old = master.address();
      while (true) {
        renewPauseIfDue();
        try {
          String now =
              client.withSentinel(
                  sentinel,
                  c -> {
                    if (!(c.getMasterAddrByName(name) instanceof java.net.InetSocketAddress a)) {
                      return null;
                    }
                    return address(a.getHostString(), a.getPort());
                  });
          if (now != null && !key(now).equals(key(old))) {
            return now;
          }
        } catch (RuntimeException e) {
          // a sentinel busy failing over may time out once: ask again
        }
        if (!clock.instant().isBefore(deadline)) {
          throw RedisOpsException.failed(
              "sentinel "
                  + plan.sentinel()
                  + " still names "
                  + old
                  + " as master "
                  + plan.before().failoverTimeout().toMillis()
                  + " ms after SENTINEL FAILOVER");
        }
        sleep(Duration.ofMillis(20));
      }
    }

    /** Renews the pause on the held connection when half a slice has passed. */
    private synchronized void renewPause(RedisCommands<String, String> m) {
      if (pauseDue()) {
        clientPause(m);
        pauseRenewedAt = clock.instant();
      }
    }

    /** Renews the pause over a new connection when half a slice has passed. */
    private void renewPauseIfDue() {
      if (pauseDue()) {
        client.withRedis(
            masterEndpoint,
            m -> {
              renewPause(m);
              return null;
            });
      }
    }

    private synchronized boolean pauseDue() {
      return pausedAt != null
          && pause == null
          && Duration.between(pauseRenewedAt, clock.instant()).compareTo(PAUSE_SLICE.dividedBy(2))
              >= 0;
    }

    private void clientPause(RedisCommands<String, String> m) {
      m.dispatch(
          CommandType.CLIENT,
          new StatusOutput<>(StringCodec.UTF8),
          new CommandArgs<>(StringCodec.UTF8)
              .add("PAUSE")
              .add(PAUSE_SLICE.toMillis())
              .add("WRITE"));
    }

    /** Ends the pause (once); records how long it lasted. */
    private synchronized void endPause() {
      if (pausedAt == null || pause != null) {
        return;
      }
      try {
        client.withRedis(
            masterEndpoint,
            m ->
                m.dispatch(
                    CommandType.CLIENT,
                    new StatusOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add("UNPAUSE")));
      } catch (RuntimeException e) {
        progress.accept(
            "warning: CLIENT UNPAUSE on "
                + master.address()
                + " failed ("
                + message(e)
                + "); the pause ends by itself within "
                + PAUSE_SLICE.toMillis()
                + " ms");
      }
      pause = Duration.between(pausedAt, clock.instant());
    }

    /**
     * Ends the pause and puts the priorities back (once, idempotent): what is left undone, or null.
     */
    synchronized String cleanUp() {
      endPause();
      if (cleaned) {
        return null;
      }
      cleaned = true;
      List<String> failed = new ArrayList<>();
      for (Map.Entry<String, Integer> e : changed.entrySet()) {
        try {
          setPriority(e.getKey(), e.getValue());
        } catch (RuntimeException ex) {
          failed.add(
              e.getKey()
                  + " (run CONFIG SET replica-priority "
                  + e.getValue()
                  + " there: "
                  + message(ex)
                  + ")");
        }
      }
      if (!changed.isEmpty() && failed.isEmpty()) {
        progress.accept("replica-priority put back on " + String.join(", ", changed.keySet()));
      }
      return failed.isEmpty()
          ? null
          : "replica-priority could not be put back on " + String.join(", ", failed);
    }

    private RedisEndpoint sentinelEndpoint() {
      Topology.SentinelState s = plan.before().reachableSentinels().get(0);
      RedisEndpoint template = reader.target().sentinels().get(0);
      return new RedisEndpoint(
          s.host(),
          s.port(),
          template.tls(),
          template.username(),
          template.password(),
          template.caFile());
    }
  }

  private int priorityOf(Topology.Instance r) {
    try {
      Map<String, String> v =
          client.withRedis(endpoint(r.host(), r.port()), c -> c.configGet("replica-priority"));
      return Integer.parseInt(v.values().iterator().next());
    } catch (RuntimeException e) {
      throw RedisOpsException.failed(
          "cannot read replica-priority of replica "
              + r.address()
              + ": "
              + message(e)
              + "; nothing was changed");
    }
  }

  private void setPriority(String address, int priority) {
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon).replace("[", "").replace("]", "");
    client.withRedis(
        endpoint(host, Integer.parseInt(address.substring(colon + 1))),
        c -> c.configSet("replica-priority", String.valueOf(priority)));
  }

  private long offset(Topology.Instance server, String field) {
    try {
      return Long.parseLong(
          client.withRedis(endpoint(server.host(), server.port()), c -> info(c).get(field)));
    } catch (RuntimeException e) {
      throw RedisOpsException.failed(
          "cannot ask " + server.address() + " for " + field + ": " + message(e));
    }
  }

  /** {@code host:port}, an IPv6 host in brackets (as {@link Topology.Instance#address}). */
  private static String address(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private RedisEndpoint endpoint(String host, int port) {
    return reader.target().redisAt(host, port);
  }

  private static Map<String, String> info(RedisCommands<String, String> c) {
    return InfoParser.parse(c.info("replication"));
  }

  private static String message(Throwable e) {
    return e instanceof RedisOpsException ? e.getMessage() : TopologyReader.describe(e);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw RedisOpsException.failed("interrupted");
    }
  }
}
