package io.redisops.schedules.check;

import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.config.Settings;
import io.redisops.sentinel.CheckResult;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code data-dir DATASET}: a bgsave capture reads {@code dir/dbfilename} directly, so the data
 * directory must be readable from this host. With {@code --method bgsave} an unreadable one fails;
 * with {@code auto} backups fall back to replication, which is a warning.
 */
final class DataDirectoryCheck implements SetupCheck {
  @Override
  public List<CheckResult> run(CheckTarget t) {
    List<CheckResult> out = new ArrayList<>();
    for (Settings.DatasetSettings d : t.settings().datasets()) {
      RedisFacts f = t.redis().get(d.name());
      if (f.error() != null) {
        continue; // the redis line says why
      }
      String name = "data-dir " + d.name();
      if (t.method(d.name()) == SnapshotMethod.REPLICATION) {
        out.add(CheckResult.pass(name, "not needed: the replication capture reads no file"));
      } else if (f.dataDirProblem() == null) {
        out.add(
            CheckResult.pass(
                name,
                "the data directory "
                    + f.dir()
                    + " is readable here"
                    + (f.dbfilename() == null ? "" : " (and " + f.dbfilename() + " in it)")));
      } else if (t.method(d.name()) == SnapshotMethod.BGSAVE) {
        out.add(
            CheckResult.fail(
                name,
                f.dataDirProblem()
                    + ", so a bgsave capture cannot read the snapshot; run redis-ops as a user that"
                    + " can read it (e.g. in the redis group) on the Redis host, or use --method"
                    + " replication"));
      } else {
        out.add(
            CheckResult.warn(
                name,
                f.dataDirProblem()
                    + ", so backups use the replication capture; to use bgsave, run redis-ops on"
                    + " the Redis host as a user that can read the data directory"));
      }
    }
    return out;
  }
}
