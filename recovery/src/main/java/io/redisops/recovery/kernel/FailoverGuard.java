package io.redisops.recovery.kernel;

import io.redisops.error.RedisOpsException;
import io.redisops.sentinel.FailoverHoldOff;
import io.redisops.sentinel.ReplicaResync;
import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.SentinelTarget;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Keeps Sentinel from failing over a master that a recovery stops on purpose, and sees its replicas
 * resynchronised afterwards: the kernel's side of {@link FailoverHoldOff} and {@link
 * ReplicaResync}. What was there before ({@link FailoverHoldOff.Saved}) comes from the plan and is
 * saved in the run's state file, so a rollback, {@code --rollback} or {@code --resume} after a kill
 * puts it back. Problems that must not undo the recovery (a replica that does not resynchronise,
 * settings that cannot be put back) are collected in {@link #problems()} for the report instead of
 * failing a step. Each call opens its own short-lived Sentinel client.
 */
public final class FailoverGuard {
  /** How long the replicas get to resynchronise from the restored master by default. */
  public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(10);

  /**
   * How long the sentinels get to see the restarted master up before failover is given back: they
   * ping it every second.
   */
  static final Duration SEEN_UP = Duration.ofSeconds(30);

  private final SentinelTarget target;
  private final FailoverHoldOff.Saved saved;
  private final Clock clock;
  private final Duration resync;
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

  public FailoverGuard(
      SentinelTarget target, FailoverHoldOff.Saved saved, Clock clock, Duration resync) {
    this.target = target;
    this.saved = saved;
    this.clock = clock;
    this.resync = resync;
  }

  /**
   * Probes the sentinels for a recovery of the server at {@code host:port}, changing nothing.
   *
   * @return empty when the sentinels' master is another server
   * @throws RedisOpsException REFUSED when the sentinels cannot all be asked
   */
  public static Optional<FailoverHoldOff.Saved> probe(
      SentinelTarget target, String host, int port, Clock clock) {
    try (SentinelClient c = new SentinelClient()) {
      return new FailoverHoldOff(c, target, clock).probe(host, port);
    }
  }

  public FailoverHoldOff.Saved saved() {
    return saved;
  }

  public Duration resync() {
    return resync;
  }

  /** Holds failover off on every sentinel (idempotent). */
  public String hold() {
    try (SentinelClient c = new SentinelClient()) {
      return new FailoverHoldOff(c, target, clock).hold(saved);
    }
  }

  /**
   * Gives failover back once the sentinels see the master up (at once when it is left stopped).
   *
   * @throws RedisOpsException FAILED when that cannot be done, with the commands to do it by hand
   */
  public String release(boolean masterRuns) {
    try (SentinelClient c = new SentinelClient()) {
      return new FailoverHoldOff(c, target, clock)
          .release(saved, masterRuns, SEEN_UP.plusMillis(saved.downAfterMillis()));
    }
  }

  /** As {@link #release}, but a failure is recorded as a problem of the run, not thrown. */
  public String releaseReporting() {
    try {
      return release(true);
    } catch (RedisOpsException e) {
      problems.add(e.getMessage());
      return "NOT done: " + e.getMessage();
    }
  }

  /**
   * Waits until the replicas the sentinels reached before have resynchronised from the master;
   * those that have not within {@link #resync()} are recorded as a problem of the run.
   */
  public String awaitReplicas() {
    if (saved.replicas().isEmpty()) {
      return "no replica of the master was reachable before the restore";
    }
    ReplicaResync.Result r;
    try (SentinelClient c = new SentinelClient()) {
      r = new ReplicaResync(c, target, clock).await(saved.master(), saved.replicas(), resync);
    }
    if (!r.ok()) {
      problems.add(
          r.missing().size()
              + " of "
              + saved.replicas().size()
              + " replica(s) did not resynchronise from the restored master "
              + saved.master()
              + " within "
              + resync.toSeconds()
              + " s: "
              + String.join("; ", r.missing()));
      return "NOT all resynchronised: "
          + String.join("; ", r.missing())
          + (r.synced().isEmpty() ? "" : "; resynchronised: " + String.join(", ", r.synced()));
    }
    return "every replica resynchronised from the restored master: "
        + String.join(", ", r.synced());
  }

  /** What went wrong without undoing the recovery, in order; empty when nothing did. */
  public List<String> problems() {
    synchronized (problems) {
      return List.copyOf(problems);
    }
  }
}
