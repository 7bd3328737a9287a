package io.redisops.sentinel;

import io.redisops.error.RedisOpsException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current {@link Topology} of one master, kept up to date: read again at once after every event
 * of {@link SentinelEvent#REFRESHING} from any sentinel, and every {@code interval} in any case
 * (events can be missed while a subscription reconnects). When a read fails, or fewer than a
 * majority of the sentinels answer, the view is marked stale (the last good topology with {@code
 * stale = true}): callers must not act on it. Listeners hear every change of shape (master,
 * replicas, states, epoch, staleness) on the view's own thread.
 */
public final class TopologyView implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TopologyView.class);

  private final TopologyReader reader;
  private final SentinelEvents events;
  private final Clock clock;
  private final Duration interval;
  private final AtomicReference<Topology> current = new AtomicReference<>();
  private final List<Consumer<Topology>> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService executor;
  private final AtomicBoolean refreshQueued = new AtomicBoolean();

  public TopologyView(
      SentinelClient client, SentinelTarget target, Clock clock, Duration interval) {
    this.reader = new TopologyReader(client, target, clock);
    this.events = new SentinelEvents(client, target.masterName(), clock);
    this.clock = clock;
    this.interval = interval;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "redis-ops-topology-" + target.masterName());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Reads the topology once (so {@link #current()} has a value), subscribes to the events and
   * starts the periodic refresh.
   *
   * @throws RedisOpsException NOT_FOUND when the sentinels do not monitor the master name; an
   *     unreachable set of sentinels does not throw: the view starts stale and keeps trying
   */
  public TopologyView start() {
    try {
      current.set(reader.read(false));
    } catch (RedisOpsException e) {
      if (e.exitCode() == io.redisops.error.ExitCode.NOT_FOUND) {
        throw e;
      }
      log.warn("{}: no topology yet: {}", reader.target().masterName(), e.getMessage());
    }
    events.addListener(
        e -> {
          if (SentinelEvent.REFRESHING.contains(e.type())) {
            refreshSoon();
          }
        });
    events.subscribe(reader.target().sentinels(), Duration.ofSeconds(2));
    var unused =
        executor.scheduleWithFixedDelay(
            this::refresh, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** The latest topology (possibly stale), or null when none could be read yet. */
  public Topology current() {
    Topology t = current.get();
    Duration age = t == null ? Duration.ZERO : Duration.between(t.observedAt(), clock.instant());
    // three missed refreshes, plus room for a slow read (each sentinel may take its timeout) on a
    // loaded host
    if (t != null && !t.stale() && age.compareTo(interval.multipliedBy(3).plusSeconds(10)) > 0) {
      // the refresh itself is stuck or starved: an old answer is not the sentinels' current view
      return t.asStale("not refreshed for " + age.toSeconds() + " s");
    }
    return t;
  }

  /** Hears every change of shape; called on the view's thread. */
  public void addListener(Consumer<Topology> l) {
    listeners.add(l);
  }

  /** Hears every event of the watched master from every sentinel. */
  public void addEventListener(SentinelEvents.Listener l) {
    events.addListener(l);
  }

  /** Asks for a refresh; several requests before it runs make one read. */
  public void refreshSoon() {
    if (refreshQueued.compareAndSet(false, true)) {
      executor.execute(
          () -> {
            refreshQueued.set(false);
            refresh();
          });
    }
  }

  private void refresh() {
    Topology before = current.get();
    Topology after;
    try {
      after = reader.read(false);
    } catch (RuntimeException e) {
      String reason = e instanceof RedisOpsException ? e.getMessage() : TopologyReader.describe(e);
      if (before == null) {
        log.warn("{}: still no topology: {}", reader.target().masterName(), reason);
        return;
      }
      after = before.stale() ? before : before.asStale(reason);
    }
    current.set(after);
    if (!after.sameShape(before)) {
      if (after.stale()) {
        log.warn("{}: sentinel view is stale: {}", after.masterName(), after.staleReason());
      } else {
        log.info(
            "{}: master {} (epoch {}), {} replica(s), {} of {} sentinels answering",
            after.masterName(),
            after.master().address(),
            after.configEpoch(),
            after.replicas().size(),
            after.reachableSentinels().size(),
            after.sentinels().size());
      }
      for (Consumer<Topology> l : listeners) {
        try {
          l.accept(after);
        } catch (RuntimeException ex) {
          log.warn("a topology listener failed: {}", ex.toString());
        }
      }
    }
  }

  @Override
  public void close() {
    events.close();
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  Clock clock() {
    return clock;
  }
}
