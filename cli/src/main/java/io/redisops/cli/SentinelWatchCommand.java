package io.redisops.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.redisops.backup.catalog.ManifestCodec;
import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.SentinelEvent;
import io.redisops.sentinel.SentinelTarget;
import io.redisops.sentinel.Topology;
import io.redisops.sentinel.TopologyView;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code redis-ops sentinel watch}: every sentinel's events as readable lines (time, sentinel,
 * event, instance, what it means) or, with {@code --json}, one JSON object per line; plus a {@code
 * topology} line whenever the group's shape changes. Runs until SIGINT/SIGTERM (exit 0) or {@code
 * --for} has passed.
 */
@Command(
    name = "watch",
    description = {
      "Print the sentinels' events as they happen until stopped (or --for).",
      "With --json this is a stream: one JSON object per line, per event, not one document."
    })
final class SentinelWatchCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

  @Spec CommandSpec spec;

  @ParentCommand SentinelCommand parent;

  @Option(
      names = "--for",
      paramLabel = "DURATION",
      description = "Stop after this long (e.g. 90s, 15m); default: until stopped.")
  Duration duration;

  @Override
  public Integer call() throws InterruptedException {
    CommandContext ctx = new CommandContext(spec);
    Duration limit = duration;
    PrintWriter out = ctx.out();
    ObjectWriter json = ManifestCodec.mapper().writer().without(SerializationFeature.INDENT_OUTPUT);
    ZoneId zone = ctx.clock().getZone();
    CountDownLatch stop = new CountDownLatch(1);
    Signals.onStop(stop::countDown);
    try (SentinelClient client = new SentinelClient()) {
      SentinelTarget target = parent.target(ctx, client);
      try (TopologyView view =
          new TopologyView(client, target, ctx.clock(), Duration.ofSeconds(2))) {
        Object lock = new Object();
        view.addEventListener(
            e -> {
              synchronized (lock) {
                line(
                    out,
                    json,
                    ctx.json(),
                    eventJson(e),
                    String.format(
                        "%s  %-15s  %-22s  %-40s  %s",
                        TIME.format(e.time().atZone(zone)),
                        e.sentinel(),
                        e.type(),
                        e.instance(),
                        e.meaning()));
              }
            });
        view.addListener(
            t -> {
              synchronized (lock) {
                line(
                    out,
                    json,
                    ctx.json(),
                    topologyJson(t),
                    String.format(
                        "%s  %-15s  %-22s  %-40s  %s",
                        TIME.format(t.observedAt().atZone(zone)),
                        "redis-ops",
                        "topology",
                        "master " + t.masterName() + " " + t.master().address(),
                        describe(t)));
              }
            });
        view.start();
        ctx.err()
            .println(
                "watching the sentinels of '"
                    + target.masterName()
                    + "' ("
                    + String.join(", ", target.sentinels().stream().map(s -> s.address()).toList())
                    + "); Ctrl-C to stop");
        ctx.err().flush();
        if (limit == null) {
          stop.await();
        } else {
          stop.await(limit.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    }
    return 0;
  }

  private static void line(
      PrintWriter out, ObjectWriter json, boolean asJson, Object doc, String text) {
    if (asJson) {
      try {
        out.println(json.writeValueAsString(doc));
      } catch (JsonProcessingException e) {
        out.println("{\"error\":\"unable to print an event\"}");
      }
    } else {
      out.println(text);
    }
    out.flush();
  }

  private static Map<String, Object> eventJson(SentinelEvent e) {
    return e.toJson();
  }

  private static String describe(Topology t) {
    if (t.stale()) {
      return "view not trustworthy: " + t.staleReason();
    }
    return "epoch "
        + t.configEpoch()
        + ", master "
        + t.master().state()
        + ", replicas "
        + String.join(
            " ", t.replicas().stream().map(r -> r.address() + "(" + r.state() + ")").toList())
        + ", "
        + t.reachableSentinels().size()
        + "/"
        + t.sentinels().size()
        + " sentinels answering";
  }

  /** The {@code topology} line of the stream: an event's fields, and the topology. */
  record TopologyLine(
      String time,
      String sentinel,
      String event,
      String instance,
      String master,
      String meaning,
      SentinelStatusCommand.TopologyJson topology) {}

  private static TopologyLine topologyJson(Topology t) {
    return new TopologyLine(
        t.observedAt().toString(),
        null,
        "topology",
        "master " + t.masterName() + " " + t.master().address(),
        t.masterName(),
        describe(t),
        SentinelStatusCommand.toJson(t));
  }
}
