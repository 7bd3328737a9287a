package io.redisops.schedules.check;

import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.config.Settings;
import io.redisops.sentinel.CheckResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code redis DATASET}: the dataset's Redis answers, logs us in, and its user may run what the
 * capture method needs (bgsave: INFO, CONFIG GET, BGSAVE; replication: INFO, REPLCONF, SYNC).
 */
final class RedisAccessCheck implements SetupCheck {
  @Override
  public List<CheckResult> run(CheckTarget t) {
    List<CheckResult> out = new ArrayList<>();
    for (Settings.DatasetSettings d : t.settings().datasets()) {
      RedisFacts f = t.redis().get(d.name());
      if (f.error() == null
          && f.method() == SnapshotMethod.REPLICATION
          && d.endpoint().isSocket()) {
        // the replication stream is read over TCP only (ReplicationRdbStream): every backup fails
        out.add(
            CheckResult.fail(
                "redis " + d.name(),
                "the replication capture"
                    + (t.method(d.name()) == SnapshotMethod.AUTO ? " (auto)" : "")
                    + " needs Redis' TCP address, not the Unix socket "
                    + d.endpoint()
                    + "; give a redis:// URI, or use bgsave with the data directory readable"
                    + " here"));
        continue;
      }
      out.add(judge("redis " + d.name(), f, t.method(d.name())));
    }
    return out;
  }

  static CheckResult judge(String name, RedisFacts f, SnapshotMethod requested) {
    if (f.error() != null) {
      return CheckResult.fail(
          name, f.error() + "; start Redis or correct datasets[].redis (uri, password, user)");
    }
    String method =
        f.method().id() + (requested == SnapshotMethod.AUTO ? " (auto)" : "") + " capture";
    List<String> denied = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, RedisFacts.Permission> e : f.commands().entrySet()) {
      switch (e.getValue().state()) {
        case DENIED -> denied.add(e.getKey());
        case UNKNOWN -> unknown.add(e.getKey());
        case ALLOWED -> {}
      }
    }
    String user = f.user();
    if (!denied.isEmpty()) {
      return CheckResult.fail(
          name,
          "ACL user '"
              + user
              + "' of "
              + f.server()
              + " may not run "
              + String.join(", ", denied)
              + ", which the "
              + method
              + " needs; grant "
              + grants(denied)
              + (f.method() == SnapshotMethod.REPLICATION ? " (or @admin)" : "")
              + (requested == SnapshotMethod.BGSAVE || requested == SnapshotMethod.REPLICATION
                  ? ""
                  : ", or make the data directory readable here for bgsave"));
    }
    String about =
        (f.version() == null ? "" : "version " + f.version() + ", ")
            + (f.role() == null ? "" : "role " + f.role() + ", ");
    if (f.loading()) {
      return CheckResult.warn(
          name, f.server() + " is loading its data (" + about + "); check again once it is done");
    }
    if (!unknown.isEmpty()) {
      return CheckResult.warn(
          name,
          f.server()
              + " answers ("
              + about
              + method
              + ") but whether user '"
              + user
              + "' may run "
              + String.join(", ", unknown)
              + " is not known: it may not run ACL DRYRUN; grant +acl|dryrun so check can tell,"
              + " or take one backup to see");
    }
    return CheckResult.pass(
        name,
        f.server()
            + " answers ("
            + about
            + method
            + "); user '"
            + user
            + "' may run "
            + String.join(", ", f.commands().keySet())
            + (f.dryRun() ? " (ACL DRYRUN)" : ""));
  }

  private static String grants(List<String> commands) {
    return String.join(
        " ",
        commands.stream()
            .map(c -> "+" + c.toLowerCase(java.util.Locale.ROOT).replace(' ', '|'))
            .toList());
  }
}
