package io.redisops.schedules.check;

import io.redisops.config.Settings;
import io.redisops.redis.RedisEndpoint;
import io.redisops.sentinel.CheckResult;
import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.SentinelTarget;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sentinels DATASET}, for a dataset with a {@code sentinel} section: every configured
 * sentinel answers and knows the master name. {@code redis-ops sentinel check} judges the
 * deployment itself.
 */
final class SentinelsCheck implements SetupCheck {
  @Override
  public List<CheckResult> run(CheckTarget t) {
    List<CheckResult> out = new ArrayList<>();
    for (Settings.DatasetSettings d : t.settings().datasets()) {
      if (d.sentinel() != null) {
        out.add(judge(d.name(), d.sentinel(), t));
      }
    }
    return out;
  }

  private static CheckResult judge(String dataset, SentinelTarget target, CheckTarget t) {
    String name = "sentinels " + dataset;
    String master = target.masterName();
    List<String> answering = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<String> masters = new ArrayList<>();
    try (SentinelClient client = new SentinelClient(t.timeout())) {
      for (RedisEndpoint node : target.sentinels()) {
        client.trust(node);
        try {
          SocketAddress addr = client.withSentinel(node, c -> c.getMasterAddrByName(master));
          if (addr == null) {
            problems.add(node.address() + " does not monitor '" + master + "'");
          } else {
            answering.add(node.address());
            if (addr instanceof InetSocketAddress a
                && !masters.contains(a.getHostString() + ":" + a.getPort())) {
              masters.add(a.getHostString() + ":" + a.getPort());
            }
          }
        } catch (RuntimeException e) {
          problems.add(node.address() + ": " + firstLine(e));
        }
      }
    }
    int n = target.sentinels().size();
    if (answering.isEmpty()) {
      return CheckResult.fail(
          name,
          "no sentinel answers for master '"
              + master
              + "' ("
              + String.join("; ", problems)
              + "); start them or correct datasets[].sentinel (nodes, master, password)");
    }
    String where = "master '" + master + "' at " + String.join(" or ", masters);
    if (!problems.isEmpty()) {
      return CheckResult.warn(
          name,
          answering.size()
              + " of "
              + n
              + " sentinels answer, "
              + where
              + " ("
              + String.join("; ", problems)
              + "); bring the others back, then run 'redis-ops sentinel check'");
    }
    return CheckResult.pass(name, "all " + n + " sentinels answer, " + where);
  }

  private static String firstLine(RuntimeException e) {
    Throwable r = e;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    String m = String.valueOf(r.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
