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
public record Health(
    Instant checkedAt, List<Problem> problems, int tiers, List<TakenElsewhere> takenElsewhere) {

  /**
   * A healthy tier whose backups another host's daemon takes (Sentinel: that host's Redis is the
   * chosen source), said so that a 200 from a daemon that takes nothing itself is not a surprise.
   *
   * @param note that host's source and the newest backup of it seen here
   */
  public record TakenElsewhere(String dataset, String tier, String note) {}

  public Health(Instant checkedAt, List<Problem> problems, int tiers) {
    this(checkedAt, problems, tiers, List.of());
  }

  /**
   * Why one tier is unhealthy.
   *
   * @param reason one line for people: "dataset cache tier hourly: last attempt failed at ...: ..."
   */
  public record Problem(String dataset, String tier, String reason) {}

  public Health {
    problems = List.copyOf(problems);
    takenElsewhere = List.copyOf(takenElsewhere);
  }

  public boolean healthy() {
    return problems.isEmpty();
  }

  /**
   * The document served on {@code /health}: {@code {"status":"ok","checked_at":...,"tiers":N}} or
   * {@code
   * {"status":"unhealthy","checked_at":...,"tiers":N,"reasons":[{"dataset":..,"tier":..,"reason":..}]}};
   * with {@code "taken_elsewhere":[{"dataset":..,"tier":..,"note":..}]} for healthy tiers another
   * host's daemon backs up.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", healthy() ? "ok" : "unhealthy");
    m.put("checked_at", checkedAt.toString());
    m.put("tiers", tiers);
    if (!takenElsewhere.isEmpty()) {
      m.put(
          "taken_elsewhere",
          takenElsewhere.stream()
              .map(
                  t -> {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("dataset", t.dataset());
                    r.put("tier", t.tier());
                    r.put("note", t.note());
                    return r;
                  })
              .toList());
    }
    if (!healthy()) {
      m.put(
          "reasons",
          problems.stream()
              .map(
                  p -> {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("dataset", p.dataset());
                    r.put("tier", p.tier());
                    r.put("reason", p.reason());
                    return r;
                  })
              .toList());
    }
    return m;
  }
}
