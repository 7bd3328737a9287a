package io.redisops.sentinel;

import io.lettuce.core.RedisCommandExecutionException;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A manual failover: the plan ({@link #plan}), {@code SENTINEL FAILOVER} on one sentinel ({@link
 * #start}), then the verification that a new master is in place, that every reachable replica (the
 * old master included) follows it with its link up, and that every reachable sentinel reports it
 * ({@link #verify}).
 */
public final class FailoverControl {
  private final SentinelClient client;
  private final TopologyReader reader;
  private final Clock clock;

  public FailoverControl(SentinelClient client, TopologyReader reader, Clock clock) {
    this.client = client;
    this.reader = reader;
    this.clock = clock;
  }

  /** What the failover will do, shown before asking. */
  public record Plan(
      Topology before, String sentinel, List<String> candidates, List<String> warnings) {
    public List<String> lines() {
      List<String> l = new ArrayList<>();
      l.add(
          "fail over master '"
              + before.masterName()
              + "' now at "
              + before.master().address()
              + " (config epoch "
              + before.configEpoch()
              + ")");
      l.add("ask sentinel " + sentinel + " to run SENTINEL FAILOVER " + before.masterName());
      l.add(
          "candidates for promotion: "
              + (candidates.isEmpty() ? "none" : String.join(", ", candidates)));
      l.add(
          "then verify within the failover timeout ("
              + before.failoverTimeout().toMillis()
              + " ms) that a new master"
              + " is in place, the replicas follow it and all sentinels agree");
      warnings.forEach(w -> l.add("warning: " + w));
      return l;
    }
  }

  /**
   * The verified outcome.
   *
   * @param oldMasterFollows whether the old master was seen following the new one before {@link
   *     #verify} returned, by itself and in the sentinels' view ({@code after} then lists it as a
   *     replica of the new master, link ok); Sentinel converts a live old master only at its next
   *     INFO refresh (about 10 s), so until then there are briefly two masters
   */
  public record Result(
      String oldMaster,
      String newMaster,
      long configEpoch,
      Duration took,
      Topology after,
      boolean oldMasterFollows) {}

  public Plan plan() {
    Topology t = reader.read(true);
    if (t.stale()) {
      throw RedisOpsException.failed(
          "the sentinels' view is not trustworthy (" + t.staleReason() + "); no failover started");
    }
    List<String> candidates =
        t.replicas().stream()
            .filter(r -> r.healthyReplica() && r.priority() != 0)
            .map(
                r ->
                    r.address()
                        + " (priority "
                        + r.priority()
                        + (r.lagBytes() == null ? "" : ", lag " + r.lagBytes() + " bytes")
                        + ")")
            .toList();
    if (candidates.isEmpty()) {
      throw RedisOpsException.failed(
          "no replica of '"
              + t.masterName()
              + "' can be promoted (all down, unlinked or"
              + " at replica-priority 0); no failover started");
    }
    List<String> warnings = new ArrayList<>();
    warnings.add(
        "SENTINEL FAILOVER does not wait for the replicas to catch up: writes not yet replicated are lost");
    t.sentinels().stream()
        .filter(s -> !s.reachable())
        .forEach(s -> warnings.add("sentinel " + s.address() + " does not answer"));
    String sentinel = t.reachableSentinels().get(0).address();
    return new Plan(t, sentinel, candidates, warnings);
  }

  /** Sends {@code SENTINEL FAILOVER}; an answer other than OK (e.g. INPROG) fails. */
  public Instant start(Plan plan) {
    Topology.SentinelState s = plan.before().reachableSentinels().get(0);
    RedisEndpoint template = reader.target().sentinels().get(0);
    RedisEndpoint ep =
        new RedisEndpoint(
            s.host(),
            s.port(),
            template.tls(),
            template.username(),
            template.password(),
            template.caFile());
    Instant started = clock.instant();
    try {
      String reply = client.withSentinel(ep, c -> c.failover(plan.before().masterName()));
      if (!"OK".equalsIgnoreCase(reply)) {
        throw RedisOpsException.failed(
            "sentinel " + s.address() + " answered '" + reply + "' to SENTINEL FAILOVER");
      }
    } catch (RedisCommandExecutionException e) {
      throw RedisOpsException.failed(
          "sentinel "
              + s.address()
              + " refused the failover: "
              + TopologyReader.firstLine(e.getMessage()));
    } catch (RedisOpsException e) {
      throw e;
    } catch (RuntimeException e) {
      throw RedisOpsException.failed("sentinel " + s.address() + " " + TopologyReader.describe(e));
    }
    return started;
  }

  /**
   * Polls until the failover is done, or fails (exit 1) when the failover timeout passes first,
   * saying what was missing.
   */
  public Result verify(Plan plan, Instant started) {
    Duration limit = plan.before().failoverTimeout();
    Instant deadline = started.plus(limit);
    String old = plan.before().master().address();
    String missing = "no answer yet";
    while (true) {
      try {
        Topology t = reader.read(false);
        missing = missing(t, old, plan.before().configEpoch(), this::followsPerItself);
        if (missing == null) {
          Duration took = Duration.between(started, clock.instant());
          Instant graceEnd = clock.instant().plus(OLD_MASTER_GRACE);
          boolean follows = awaitOldMaster(plan.before().master(), t.master(), graceEnd);
          // The result must not contradict itself: the server's own word is not enough while the
          // sentinels' view,
          // printed beside it, still shows the old master's link as it was (their INFO refresh lags
          // by up to 10 s).
          Topology after = follows ? awaitSentinelView(old, t, graceEnd.plus(OLD_MASTER_GRACE)) : t;
          return new Result(
              old,
              t.master().address(),
              t.configEpoch(),
              took,
              after,
              follows && followsInView(after, old));
        }
      } catch (RedisOpsException e) {
        missing = e.getMessage();
      }
      if (!clock.instant().isBefore(deadline)) {
        throw new RedisOpsException(
            ExitCode.FAILED,
            "the failover of '"
                + plan.before().masterName()
                + "' was not complete within the failover timeout ("
                + limit.toMillis()
                + " ms): "
                + missing);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw RedisOpsException.failed("interrupted while verifying the failover");
      }
    }
  }

  /**
   * How long after a verified failover to wait for Sentinel to convert a live old master (its INFO
   * period is 10 s).
   */
  static final Duration OLD_MASTER_GRACE = Duration.ofSeconds(15);

  private boolean awaitOldMaster(Topology.Instance old, Topology.Instance now, Instant deadline) {
    while (true) {
      if (followsPerItself(old, now)) {
        return true;
      }
      if (!clock.instant().isBefore(deadline)) {
        return false;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /**
   * Re-reads the sentinels' view until it shows {@code oldMaster} following the master with its
   * link ok, or the deadline.
   */
  private Topology awaitSentinelView(String oldMaster, Topology last, Instant deadline) {
    Topology t = last;
    while (!followsInView(t, oldMaster) && clock.instant().isBefore(deadline)) {
      try {
        Thread.sleep(200);
        t = reader.read(false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return t;
      } catch (RedisOpsException e) {
        // a sentinel not answering for a moment: keep the last view
      }
    }
    return t;
  }

  /**
   * Whether the sentinels list {@code oldMaster} as a replica of the current master with its link
   * ok.
   */
  static boolean followsInView(Topology t, String oldMaster) {
    return t.replicas().stream()
        .anyMatch(
            r ->
                r.address().equals(oldMaster)
                    && t.master().address().equals(r.masterAddress())
                    && "ok".equals(r.linkStatus()));
  }

  /** Whether the server itself says it is a replica of {@code master} with its link up. */
  private boolean followsPerItself(Topology.Instance replica, Topology.Instance master) {
    try {
      java.util.Map<String, String> info =
          client.withRedis(
              reader.target().redisAt(replica.host(), replica.port()),
              c -> io.redisops.redis.InfoParser.parse(c.info("replication")));
      return "slave".equals(info.get("role"))
          && "up".equals(info.get("master_link_status"))
          && String.valueOf(master.port()).equals(info.get("master_port"))
          && TopologyReader.canonicalHost(master.host())
              .equals(TopologyReader.canonicalHost(info.get("master_host")));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** What is still missing for the failover to count as done, or null when nothing is. */
  static String missing(
      Topology t,
      String oldMaster,
      long oldEpoch,
      java.util.function.BiPredicate<Topology.Instance, Topology.Instance> follows) {
    if (t.stale()) {
      return "the sentinels' view is stale: " + t.staleReason();
    }
    if (t.master().address().equals(oldMaster) || t.configEpoch() <= oldEpoch) {
      return "the master is still " + t.master().address() + " (epoch " + t.configEpoch() + ")";
    }
    if (t.master().down()) {
      return "the new master " + t.master().address() + " is " + t.master().state();
    }
    String disagreeing =
        t.reachableSentinels().stream()
            .filter(s -> !t.master().address().equals(s.masterAddress()))
            .map(s -> s.address() + " says " + s.masterAddress())
            .collect(Collectors.joining(", "));
    if (!disagreeing.isEmpty()) {
      return "not every sentinel reports " + t.master().address() + " yet: " + disagreeing;
    }
    String lagging =
        t.replicas().stream()
            .filter(r -> !r.down())
            .filter(
                r ->
                    !r.address()
                        .equals(
                            oldMaster)) // converted later by Sentinel: see Result.oldMasterFollows
            .filter(
                r ->
                    !t.master().address().equals(r.masterAddress()) || !"ok".equals(r.linkStatus()))
            // Sentinel refreshes a replica's INFO only every 10 s: the old master may already
            // follow while the sentinels
            // still report it unknown; the server's own word settles it.
            .filter(r -> !follows.test(r, t.master()))
            .map(r -> r.address() + " follows " + r.masterAddress() + " link " + r.linkStatus())
            .collect(Collectors.joining(", "));
    if (!lagging.isEmpty()) {
      return "replicas not yet following " + t.master().address() + ": " + lagging;
    }
    return null;
  }
}
