package io.redisops.sentinel;

import io.lettuce.core.RedisCommandExecutionException;
import io.redisops.redis.RedisEndpoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gathers the {@link DeploymentFacts} from the live sentinels and master, then applies {@link
 * DeploymentRules}.
 */
public final class DeploymentChecker {
  private final SentinelClient client;
  private final TopologyReader reader;

  public DeploymentChecker(SentinelClient client, TopologyReader reader) {
    this.client = client;
    this.reader = reader;
  }

  /** Reads everything now and judges it. */
  public Report check() {
    Topology t = reader.read(true);
    DeploymentFacts facts = gather(t);
    return new Report(t, DeploymentRules.evaluate(facts));
  }

  /** The topology the checks saw and their results, in order. */
  public record Report(Topology topology, List<CheckResult> results) {
    public boolean anyFail() {
      return results.stream().anyMatch(r -> r.level() == CheckResult.Level.FAIL);
    }
  }

  DeploymentFacts gather(Topology t) {
    String name = t.masterName();
    Map<String, String> ckquorum = new LinkedHashMap<>();
    RedisEndpoint template = reader.target().sentinels().get(0);
    for (Topology.SentinelState s : t.sentinels()) {
      RedisEndpoint ep =
          new RedisEndpoint(
              s.host(),
              s.port(),
              template.tls(),
              template.username(),
              template.password(),
              template.caFile());
      String reply;
      if (!s.reachable()) {
        reply = s.error();
      } else {
        try {
          reply = client.withSentinel(ep, c -> SentinelClient.ckquorum(c, name));
        } catch (RedisCommandExecutionException e) {
          reply = TopologyReader.firstLine(e.getMessage());
        } catch (RuntimeException e) {
          reply = TopologyReader.describe(e);
        }
      }
      ckquorum.put(s.address(), reply);
    }
    Map<String, String> config = new LinkedHashMap<>();
    String error = null;
    if (t.master().down()) {
      error = "the master is down (" + t.master().state() + ")";
    } else {
      try {
        config.putAll(
            client.withRedis(
                reader.target().redisAt(t.master().host(), t.master().port()),
                c -> {
                  Map<String, String> m = new LinkedHashMap<>();
                  for (String key :
                      List.of(
                          "min-replicas-to-write", "min-replicas-max-lag", "save", "appendonly")) {
                    m.putAll(c.configGet(key));
                  }
                  return m;
                }));
      } catch (RedisCommandExecutionException e) {
        error =
            TopologyReader.firstLine(e.getMessage())
                + " (give the check a login with --redis or REDIS_OPS_REDIS_PASSWORD)";
      } catch (RuntimeException e) {
        error = TopologyReader.describe(e);
      }
    }
    return new DeploymentFacts(t, ckquorum, config, error);
  }
}
