package io.redisops.cli;

import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.Topology;
import io.redisops.sentinel.TopologyReader;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code redis-ops sentinel status}: master, replicas and sentinels with their state, in one view. */
@Command(name = "status", description = "Master, replicas and sentinels of the group with their state, in one view.")
final class SentinelStatusCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @ParentCommand
  SentinelCommand parent;

  @Override
  public Integer call() {
    CommandContext ctx = new CommandContext(spec);
    try (SentinelClient client = new SentinelClient()) {
      Topology t = new TopologyReader(client, parent.target(ctx, client), ctx.clock()).read(true);
      if (ctx.json()) {
        ctx.printJson(toJson(t));
      } else {
        print(t, ctx.out());
      }
      return 0;
    }
  }

  static void print(Topology t, PrintWriter out) {
    out.printf("master %s at %s: %s, config epoch %d, quorum %d of %d sentinels, down-after %d ms, failover-timeout %d ms%n",
        t.masterName(), t.master().address(), t.master().down() ? "DOWN (" + t.master().state() + ")" : "ok",
        t.configEpoch(), t.quorum(), t.sentinels().size(), t.downAfter().toMillis(), t.failoverTimeout().toMillis());
    if (t.stale()) {
      out.println("WARNING: this view cannot be trusted: " + t.staleReason());
    }
    out.println();
    Table r = new Table("REPLICA", "STATE", "LINK", "FOLLOWS", "OFFSET", "LAG", "PRIORITY");
    for (Topology.Instance i : t.replicas()) {
      r.add(i.address(), i.state(), String.valueOf(i.linkStatus()), String.valueOf(i.masterAddress()),
          Long.toString(i.replOffset()), i.lagBytes() == null ? "?" : i.lagBytes() + " B", Integer.toString(i.priority()));
    }
    if (t.replicas().isEmpty()) {
      out.println("no replicas");
    } else {
      r.print(out);
    }
    out.println();
    Table s = new Table("SENTINEL", "STATE", "MASTER SEEN", "EPOCH", "SEEN BY OTHERS", "SOURCE");
    for (Topology.SentinelState x : t.sentinels()) {
      s.add(x.address(), x.reachable() ? "ok" : "DOWN: " + x.error(), x.masterAddress() == null ? "-" : x.masterAddress(),
          x.configEpoch() < 0 ? "-" : Long.toString(x.configEpoch()), SentinelCommand.joinFlags(x.flags()),
          x.configured() ? "configured" : "discovered");
    }
    s.print(out);
    out.flush();
  }

  static Map<String, Object> toJson(Topology t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("master_name", t.masterName());
    m.put("master", instance(t.master()));
    List<Object> replicas = new ArrayList<>();
    t.replicas().forEach(i -> replicas.add(instance(i)));
    m.put("replicas", replicas);
    List<Object> sentinels = new ArrayList<>();
    for (Topology.SentinelState s : t.sentinels()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("address", s.address());
      x.put("reachable", s.reachable());
      x.put("error", s.error());
      x.put("configured", s.configured());
      x.put("run_id", s.runId());
      x.put("master", s.masterAddress());
      x.put("config_epoch", s.configEpoch());
      x.put("flags", s.flags().stream().sorted().toList());
      sentinels.add(x);
    }
    m.put("sentinels", sentinels);
    m.put("quorum", t.quorum());
    m.put("config_epoch", t.configEpoch());
    m.put("down_after_ms", t.downAfter().toMillis());
    m.put("failover_timeout_ms", t.failoverTimeout().toMillis());
    m.put("master_repl_offset", t.masterReplOffset());
    m.put("observed_at", t.observedAt().toString());
    m.put("stale", t.stale());
    m.put("stale_reason", t.staleReason());
    return m;
  }

  static Map<String, Object> instance(Topology.Instance i) {
    Map<String, Object> x = new LinkedHashMap<>();
    x.put("address", i.address());
    x.put("host", i.host());
    x.put("port", i.port());
    x.put("run_id", i.runId());
    x.put("state", i.state());
    x.put("flags", i.flags().stream().sorted().toList());
    if (i.linkStatus() != null) {
      x.put("link", i.linkStatus());
      x.put("follows", i.masterAddress());
      x.put("offset", i.replOffset());
      x.put("lag_bytes", i.lagBytes());
      x.put("priority", i.priority());
    }
    return x;
  }
}
