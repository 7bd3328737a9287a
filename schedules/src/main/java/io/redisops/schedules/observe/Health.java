package io.redisops.schedules.observe;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one health evaluation.
 *
 * @param checkedAt when it was evaluated
 * @param problems one entry per failing tier, empty when healthy
 * @param tiers how many tiers were evaluated
 */
public record Health(Instant checkedAt, List<Problem> problems, int tiers) {

  /**
   * Why one tier is unhealthy.
   *
   * @param reason one line for people: "dataset cache tier hourly: last attempt failed at ...: ..."
   */
  public record Problem(String dataset, String tier, String reason) {}

  public Health {
    problems = List.copyOf(problems);
  }

  public boolean healthy() {
    return problems.isEmpty();
  }

  /**
   * The document served on {@code /health}: {@code {"status":"ok","checked_at":...,"tiers":N}} or
   * {@code {"status":"unhealthy","checked_at":...,"tiers":N,"reasons":[{"dataset":..,"tier":..,"reason":..}]}}.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", healthy() ? "ok" : "unhealthy");
    m.put("checked_at", checkedAt.toString());
    m.put("tiers", tiers);
    if (!healthy()) {
      m.put("reasons", problems.stream().map(p -> {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("dataset", p.dataset());
        r.put("tier", p.tier());
        r.put("reason", p.reason());
        return r;
      }).toList());
    }
    return m;
  }
}
