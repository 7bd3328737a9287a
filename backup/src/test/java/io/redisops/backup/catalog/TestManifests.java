package io.redisops.backup.catalog;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.TreeMap;

/** Synthetic manifests for tests. */
public final class TestManifests {
  private TestManifests() {}

  public static Manifest manifest(String dataset, String id, Instant snapshotTime, Tier... tiers) {
    TreeMap<Integer, Long> keys = new TreeMap<>();
    keys.put(0, 10L);
    keys.put(3, 2L);
    TreeMap<Integer, Long> expires = new TreeMap<>();
    expires.put(0, 1L);
    return new Manifest(Manifest.FORMAT_VERSION, id, dataset, snapshotTime, snapshotTime.plusSeconds(2),
        tiers.length == 0 ? EnumSet.noneOf(Tier.class) : EnumSet.copyOf(List.of(tiers)), "bgsave",
        new Manifest.Source("10.0.0.1", 6379, "master", "run1", "replid1", 1234L, "7.0.15"),
        11, "dump.rdb.zst", 1000, 400, "zstd", "none", "aa".repeat(32), "bb".repeat(32), "0123456789abcdef",
        true, keys, expires, 12, 1500, "0.1.0");
  }
}
