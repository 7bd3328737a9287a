package io.redisops.sentinel;

import java.util.Map;

/**
 * Everything the deployment checks judge, gathered from the live sentinels and servers by {@link
 * DeploymentChecker}, so that the rules ({@link DeploymentRules}) are pure and testable.
 *
 * @param topology the topology, with the master's offset when it answered
 * @param ckquorum per sentinel address: its {@code SENTINEL CKQUORUM} reply ({@code OK ...} or
 *     {@code NOQUORUM ...}), or {@code unreachable (...)}
 * @param masterConfig the master's {@code CONFIG GET} values of {@code min-replicas-to-write},
 *     {@code min-replicas-max-lag}, {@code save}, {@code appendonly}; empty when it could not be
 *     asked
 * @param masterConfigError why the master could not be asked, null when it could
 */
public record DeploymentFacts(
    Topology topology,
    Map<String, String> ckquorum,
    Map<String, String> masterConfig,
    String masterConfigError) {

  public DeploymentFacts {
    ckquorum = Map.copyOf(ckquorum);
    masterConfig = Map.copyOf(masterConfig);
  }
}
