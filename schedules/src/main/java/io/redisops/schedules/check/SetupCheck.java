package io.redisops.schedules.check;

import io.redisops.sentinel.CheckResult;
import java.util.List;

/**
 * One rule of {@code redis-ops check}: looks at one part of the setup and says PASS, WARN or FAIL,
 * each with a one-line reason that ends with what to do. A rule never throws for what it checks: a
 * problem it finds is its result.
 */
interface SetupCheck {
  List<CheckResult> run(CheckTarget target);
}
