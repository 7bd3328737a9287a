package io.redisops.cli;

import io.redisops.config.Settings;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import io.redisops.secret.Secret;
import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.SentinelTarget;
import io.redisops.sentinel.TopologyReader;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code redis-ops sentinel status | check | watch | failover | switchover}: the Sentinel group of
 * a dataset. The sentinels come from {@code --sentinel} (then the master name from {@code
 * --master}, the configuration, or the only master they monitor) or from the dataset's {@code
 * sentinel} section.
 */
@Command(
    name = "sentinel",
    description =
        "The Sentinel-monitored group: status, deployment checks, events, failover, switchover.",
    subcommands = {
      SentinelStatusCommand.class,
      SentinelCheckCommand.class,
      SentinelWatchCommand.class,
      SentinelFailoverCommand.class,
      SentinelSwitchoverCommand.class
    })
final class SentinelCommand implements Runnable {

  @Option(
      names = "--sentinel",
      paramLabel = "HOST:PORT[,...]",
      split = ",",
      scope = ScopeType.INHERIT,
      description =
          "Sentinels to ask (default: the dataset's sentinel.nodes); password from REDIS_OPS_SENTINEL_PASSWORD.")
  List<String> sentinels;

  @Option(
      names = "--master",
      paramLabel = "NAME",
      scope = ScopeType.INHERIT,
      description =
          "Master name the sentinels monitor (default: the dataset's sentinel.master, else the only one).")
  String master;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The sentinels and master name to work on, resolved from the options and the configuration. */
  SentinelTarget target(CommandContext ctx, SentinelClient client) {
    if (sentinels != null && !sentinels.isEmpty()) {
      List<RedisEndpoint> nodes = SentinelTarget.parseNodes(sentinels, "--sentinel");
      String pw = System.getenv(Settings.ENV_SENTINEL_PASSWORD);
      if (pw != null && !pw.isEmpty()) {
        nodes =
            nodes.stream()
                .map(n -> n.password() == null ? n.withPassword(Secret.of(pw)) : n)
                .toList();
      }
      RedisEndpoint login = ctx.dataset().endpoint();
      String name = master;
      if (name == null
          && ctx.settings().datasets().size() == 1
          && ctx.dataset().sentinel() != null) {
        name = ctx.dataset().sentinel().masterName();
      }
      if (name == null) {
        SentinelTarget probe = new SentinelTarget("?", nodes, login);
        Set<String> known = new TopologyReader(client, probe, Clock.systemUTC()).monitoredMasters();
        if (known.size() != 1) {
          throw RedisOpsException.usage(
              known.isEmpty()
                  ? "the sentinels "
                      + String.join(",", sentinels)
                      + " answered with no monitored master; check --sentinel"
                  : "the sentinels monitor several masters ("
                      + String.join(", ", known)
                      + "); pick one with --master NAME");
        }
        name = known.iterator().next();
      }
      return new SentinelTarget(name, nodes, login);
    }
    Settings.DatasetSettings ds = ctx.dataset();
    if (ds.sentinel() == null) {
      throw RedisOpsException.usage(
          "no sentinel for dataset "
              + ds.name()
              + ": give --sentinel HOST:PORT,... or configure datasets[].sentinel");
    }
    return master == null ? ds.sentinel() : ds.sentinel().withMaster(master);
  }

  static String joinFlags(Set<String> flags) {
    return flags.isEmpty() ? "-" : String.join(",", flags.stream().sorted().toList());
  }

  static List<String> words(String... w) {
    return Arrays.asList(w);
  }
}
