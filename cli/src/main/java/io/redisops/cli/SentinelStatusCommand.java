package io.redisops.cli;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.sentinel.ArchiverAnnouncement;
import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.Topology;
import io.redisops.sentinel.TopologyReader;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops sentinel status}: master, replicas and sentinels with their state, in one view.
 */
@Command(
    name = "status",
    description = "Master, replicas and sentinels of the group with their state, in one view.")
final class SentinelStatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ParentCommand SentinelCommand parent;

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
    out.printf(
        "master %s at %s: %s, config epoch %d, quorum %d of %d sentinels, down-after %d ms, failover-timeout %d ms%n",
        t.masterName(),
        t.master().address(),
        t.master().down() ? "DOWN (" + t.master().state() + ")" : "ok",
        t.configEpoch(),
        t.quorum(),
        t.sentinels().size(),
        t.downAfter().toMillis(),
        t.failoverTimeout().toMillis());
    if (t.stale()) {
      out.println("WARNING: this view cannot be trusted: " + t.staleReason());
    }
    out.println();
    Table r = new Table("REPLICA", "STATE", "LINK", "FOLLOWS", "OFFSET", "LAG", "PRIORITY");
    for (Topology.Instance i : t.replicas()) {
      r.add(
          i.address(),
          i.state(),
          String.valueOf(i.linkStatus()),
          String.valueOf(i.masterAddress()),
          Long.toString(i.replOffset()),
          i.lagBytes() == null ? "?" : i.lagBytes() + " B",
          Integer.toString(i.priority()));
    }
    if (t.replicas().isEmpty()) {
      out.println("no replicas");
    } else {
      r.print(out);
    }
    if (!t.ownReplicas().isEmpty()) {
      // the archiver is listed apart: the sentinels never record it and never promote it
      out.println();
      Table a = new Table("REDIS-OPS", "FROM", "STATE", "ACKED OFFSET", "LAG", "LAST ACK");
      for (ArchiverAnnouncement.Attached x : t.ownReplicas()) {
        a.add(
            x.kind().label(),
            x.host(),
            x.state(),
            Long.toString(x.ackOffset()),
            x.lagBytes() == null ? "?" : x.lagBytes() + " B",
            x.ackAgeSeconds() + " s ago");
      }
      a.print(out);
    }
    out.println();
    Table s = new Table("SENTINEL", "STATE", "MASTER SEEN", "EPOCH", "SEEN BY OTHERS", "SOURCE");
    for (Topology.SentinelState x : t.sentinels()) {
      s.add(
          x.address(),
          x.reachable() ? "ok" : "DOWN: " + x.error(),
          x.masterAddress() == null ? "-" : x.masterAddress(),
          x.configEpoch() < 0 ? "-" : Long.toString(x.configEpoch()),
          SentinelCommand.joinFlags(x.flags()),
          x.configured() ? "configured" : "discovered");
    }
    s.print(out);
    out.flush();
  }

  /** The {@code --json} document of a topology (also inside {@code failover} and {@code watch}). */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record TopologyJson(
      String masterName,
      InstanceJson master,
      List<InstanceJson> replicas,
      List<SentinelJson> sentinels,
      int quorum,
      long configEpoch,
      long downAfterMs,
      long failoverTimeoutMs,
      Long masterReplOffset,
      String observedAt,
      boolean stale,
      String staleReason,
      List<OwnReplicaJson> ownReplicas) {}

  /** One of redis-ops' own replicas (the archiver, a capture by replication) on the master. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record OwnReplicaJson(
      String kind,
      String host,
      int announcedPort,
      String state,
      long ackOffset,
      Long lagBytes,
      long ackAgeSeconds) {}

  /** A master or replica; a replica also has its link (absent for the master). */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record InstanceJson(
      String address,
      String host,
      int port,
      String runId,
      String state,
      List<String> flags,
      @JsonUnwrapped LinkJson link) {}

  /** What only a replica has. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record LinkJson(String link, String follows, long offset, Long lagBytes, int priority) {}

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record SentinelJson(
      String address,
      boolean reachable,
      String error,
      boolean configured,
      String runId,
      String master,
      long configEpoch,
      List<String> flags) {}

  static TopologyJson toJson(Topology t) {
    return new TopologyJson(
        t.masterName(),
        instance(t.master()),
        t.replicas().stream().map(SentinelStatusCommand::instance).toList(),
        t.sentinels().stream()
            .map(
                s ->
                    new SentinelJson(
                        s.address(),
                        s.reachable(),
                        s.error(),
                        s.configured(),
                        s.runId(),
                        s.masterAddress(),
                        s.configEpoch(),
                        s.flags().stream().sorted().toList()))
            .toList(),
        t.quorum(),
        t.configEpoch(),
        t.downAfter().toMillis(),
        t.failoverTimeout().toMillis(),
        t.masterReplOffset(),
        t.observedAt().toString(),
        t.stale(),
        t.staleReason(),
        t.ownReplicas().stream()
            .map(
                a ->
                    new OwnReplicaJson(
                        a.kind().label(),
                        a.host(),
                        a.port(),
                        a.state(),
                        a.ackOffset(),
                        a.lagBytes(),
                        a.ackAgeSeconds()))
            .toList());
  }

  static InstanceJson instance(Topology.Instance i) {
    return new InstanceJson(
        i.address(),
        i.host(),
        i.port(),
        i.runId(),
        i.state(),
        i.flags().stream().sorted().toList(),
        i.linkStatus() == null
            ? null
            : new LinkJson(
                i.linkStatus(), i.masterAddress(), i.replOffset(), i.lagBytes(), i.priority()));
  }
}
