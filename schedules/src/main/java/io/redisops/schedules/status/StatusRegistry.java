package io.redisops.schedules.status;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * The daemon's current knowledge of every scheduled tier and dataset: written by jobs, read by
 * /metrics, /health and notifications. Thread-safe; readers get immutable snapshots.
 */
public final class StatusRegistry {
  private final Map<String, TierStatus> tiers = new ConcurrentHashMap<>();
  private final Map<String, DatasetStatus> datasets = new ConcurrentHashMap<>();
  private final Map<String, SentinelChecks> sentinelChecks = new ConcurrentHashMap<>();
  private final List<StatusListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, java.util.concurrent.atomic.AtomicLong> skips =
      new ConcurrentHashMap<>();
  private final Map<String, java.util.concurrent.atomic.AtomicLong> busy =
      new ConcurrentHashMap<>();

  private final Map<String, DrillStatus> drills = new ConcurrentHashMap<>();

  private final Map<String, java.util.function.Supplier<io.redisops.backup.archive.ArchiverStatus>>
      archives = new ConcurrentHashMap<>();

  /** Registers the point-in-time archiver of a dataset, read when asked. */
  public void registerArchive(
      String dataset, java.util.function.Supplier<io.redisops.backup.archive.ArchiverStatus> s) {
    archives.put(dataset, s);
  }

  /** The current status of every archiver the daemon runs, sorted by dataset. */
  public List<io.redisops.backup.archive.ArchiverStatus> archives() {
    return archives.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> e.getValue().get())
        .toList();
  }

  /** Registers the restore drills of a dataset; replaces nothing if known already. */
  public void registerDrills(DrillStatus initial) {
    drills.putIfAbsent(initial.dataset(), initial);
  }

  /** Applies the outcome of a drill of a registered dataset. */
  public DrillStatus updateDrill(String dataset, UnaryOperator<DrillStatus> change) {
    return drills.compute(
        dataset,
        (k, old) -> {
          if (old == null) {
            throw new IllegalStateException("drills of " + dataset + " are not registered");
          }
          return change.apply(old);
        });
  }

  /** The drill status of every dataset the daemon drills, sorted by dataset. */
  public List<DrillStatus> drills() {
    return drills.values().stream()
        .sorted(java.util.Comparator.comparing(DrillStatus::dataset))
        .toList();
  }

  /** The drill status of one dataset, or null. */
  public DrillStatus drill(String dataset) {
    return drills.get(dataset);
  }

  public void addListener(StatusListener l) {
    listeners.add(l);
  }

  /** Registers a scheduled tier; replaces nothing if it is known already. */
  public void register(TierStatus initial) {
    tiers.putIfAbsent(key(initial.dataset(), initial.tier()), initial);
  }

  /** Applies a change to one tier and tells the listeners. */
  public TierStatus update(String dataset, String tier, UnaryOperator<TierStatus> change) {
    TierStatus[] before = new TierStatus[1];
    TierStatus after =
        tiers.compute(
            key(dataset, tier),
            (k, old) -> {
              if (old == null) {
                throw new IllegalStateException(
                    "tier " + tier + " of " + dataset + " is not registered");
              }
              before[0] = old;
              return change.apply(old);
            });
    for (StatusListener l : listeners) {
      l.changed(before[0], after);
    }
    return after;
  }

  public void updateDataset(DatasetStatus status) {
    datasets.put(status.dataset(), status);
  }

  /**
   * Records the latest run of a dataset's deployment checks.
   *
   * @return the previous run, or null
   */
  public SentinelChecks updateSentinelChecks(SentinelChecks checks) {
    return sentinelChecks.put(checks.dataset(), checks);
  }

  /** The latest run of the deployment checks of every Sentinel-monitored dataset, by dataset. */
  public List<SentinelChecks> sentinelChecks() {
    return sentinelChecks.values().stream()
        .sorted(java.util.Comparator.comparing(SentinelChecks::dataset))
        .toList();
  }

  /** Every registered tier, sorted by dataset then tier. */
  public List<TierStatus> tiers() {
    return tiers.values().stream()
        .sorted(java.util.Comparator.comparing(TierStatus::dataset).thenComparing(TierStatus::tier))
        .toList();
  }

  public List<DatasetStatus> datasets() {
    return datasets.values().stream()
        .sorted(java.util.Comparator.comparing(DatasetStatus::dataset))
        .toList();
  }

  /**
   * Counts a scheduled run this daemon deliberately did not take (for a Sentinel-monitored dataset:
   * this host's Redis was not the chosen source, or the sentinels' view could not be trusted).
   */
  public void recordSkip(String dataset) {
    skips
        .computeIfAbsent(dataset, d -> new java.util.concurrent.atomic.AtomicLong())
        .incrementAndGet();
  }

  /** Runs of {@code dataset} skipped since the daemon started. */
  public long skips(String dataset) {
    java.util.concurrent.atomic.AtomicLong n = skips.get(dataset);
    return n == null ? 0 : n.get();
  }

  /**
   * Counts a run deferred because another operation (a CLI backup, prune or restore) held the
   * dataset's lock: routine, retried later, not a failure.
   */
  public void recordBusy(String dataset) {
    busy.computeIfAbsent(dataset, d -> new java.util.concurrent.atomic.AtomicLong())
        .incrementAndGet();
  }

  /** Runs of {@code dataset} deferred as busy since the daemon started. */
  public long busy(String dataset) {
    java.util.concurrent.atomic.AtomicLong n = busy.get(dataset);
    return n == null ? 0 : n.get();
  }

  public TierStatus tier(String dataset, String tier) {
    return tiers.get(key(dataset, tier));
  }

  private static String key(String dataset, String tier) {
    return dataset + "\u0000" + tier;
  }
}
