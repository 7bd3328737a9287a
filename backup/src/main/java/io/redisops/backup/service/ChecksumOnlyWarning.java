package io.redisops.backup.service;

import io.redisops.backup.rdb.RdbAnalysis;
import io.redisops.backup.rdb.Verification;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns once per dataset (per process) that its snapshots are kept on their CRC-64 alone because
 * their format is newer than this redis-ops knows: a daemon taking hourly backups says it once, not
 * every hour.
 */
final class ChecksumOnlyWarning {
  private static final Logger log = LoggerFactory.getLogger(ChecksumOnlyWarning.class);
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  void warnOnce(String dataset, RdbAnalysis a) {
    if (a.verification() == Verification.CHECKSUM && warned.add(dataset)) {
      log.warn(
          "backups of {} are verified by their CRC-64 only: {}; they are kept, but key counts are not read"
              + " (upgrade redis-ops for full verification)",
          dataset,
          a.verificationNote());
    }
  }
}
