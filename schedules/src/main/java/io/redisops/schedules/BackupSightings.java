package io.redisops.schedules;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.service.Offsite;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The newest backups of a dataset this daemon can see, per tier, in its local repository and
 * off-site. In the one-daemon-per-host Sentinel setup the backups are taken by the daemon of the
 * chosen source's host: the others find them here, locally when the repository is shared, else in
 * the common off-site store.
 */
final class BackupSightings {
  /** One backup seen, and where ({@code local} or {@code off-site}). */
  record Seen(Manifest manifest, String where) {}

  /**
   * What a look found: per tier the newest backup, and why a place could not be read (null when all
   * could).
   */
  record Result(Map<Tier, Seen> newest, String problem) {}

  private final BackupCatalog local;
  private final String dataset;

  /** Opens the off-site store; null when none is configured. */
  private final Supplier<Offsite> offsite;

  BackupSightings(String dataset, BackupCatalog local, Supplier<Offsite> offsite) {
    this.dataset = dataset;
    this.local = local;
    this.offsite = offsite;
  }

  /** Where it looks, for messages. */
  String places() {
    return offsite == null ? "the local repository" : "the local repository or off-site";
  }

  Result look(Set<Tier> tiers) {
    Map<Tier, Seen> newest = new EnumMap<>(Tier.class);
    List<String> problems = new ArrayList<>();
    try {
      take(newest, tiers, local.list(), "local");
    } catch (IOException | RuntimeException e) {
      problems.add("the local repository: " + e.getMessage());
    }
    if (offsite != null) {
      try (Offsite o = offsite.get()) {
        take(newest, tiers, o.remote().catalog(dataset).list(), "off-site");
      } catch (IOException | RuntimeException e) {
        problems.add("the off-site store: " + e.getMessage());
      }
    }
    return new Result(
        newest, problems.isEmpty() ? null : "unable to read " + String.join("; ", problems));
  }

  private static void take(
      Map<Tier, Seen> newest, Set<Tier> tiers, List<Manifest> backups, String where) {
    for (Tier t : tiers) {
      backups.stream()
          .filter(m -> m.hasTier(t))
          .findFirst()
          .ifPresent(
              m ->
                  newest.merge(
                      t,
                      new Seen(m, where),
                      (a, b) ->
                          b.manifest().completedAt().isAfter(a.manifest().completedAt()) ? b : a));
    }
  }
}
