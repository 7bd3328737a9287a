package io.redisops.schedules.check;

import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.config.Settings;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.sentinel.CheckResult;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code redis-ops check}: is the whole setup right? The configuration is read, each dataset's
 * Redis probed once, then every rule judges its part: Redis access for the capture method, the data
 * directory, the repository and its free space, the off-site store, the encryption key, {@code
 * redis-check-aof}, the sentinels and the daemon's HTTP address. A configuration that cannot be
 * read is the one FAIL (nothing else can be judged without it).
 */
public final class CheckService {
  /** The checks' results in order, and their counts. */
  /**
   * The checks' results, and the capture method judged for each dataset (by name; empty when the
   * configuration could not be read).
   */
  public record Report(List<CheckResult> results, Map<String, SnapshotMethod> methods) {
    public long count(CheckResult.Level level) {
      return results.stream().filter(r -> r.level() == level).count();
    }

    /** The names of the failed checks, in order. */
    public List<String> failed() {
      return results.stream()
          .filter(r -> r.level() == CheckResult.Level.FAIL)
          .map(CheckResult::name)
          .toList();
    }
  }

  private final Clock clock;
  private final Duration timeout;
  private final Map<String, String> env;

  /**
   * @param timeout per network conversation (Redis, sentinel, S3 connection, HTTP)
   * @param env the environment ({@code PATH} for {@code redis-check-aof})
   */
  public CheckService(Clock clock, Duration timeout, Map<String, String> env) {
    this.clock = clock;
    this.timeout = timeout;
    this.env = env;
  }

  /**
   * Runs every check.
   *
   * @param settings resolves the configuration (its usage error is the {@code configuration} FAIL)
   * @param configDescription what was read, for the PASS line (a file, or "no file: defaults")
   * @param method the capture method to judge (AUTO as {@code backup} and the daemon resolve it),
   *     or null for each dataset's own ({@code datasets[].method})
   */
  public Report check(
      Supplier<Settings> settings, String configDescription, SnapshotMethod method) {
    List<CheckResult> out = new ArrayList<>();
    Settings s;
    try {
      s = settings.get();
    } catch (RedisOpsException e) {
      if (e.exitCode() != ExitCode.USAGE) {
        throw e;
      }
      out.add(CheckResult.fail("configuration", e.getMessage()));
      return new Report(List.copyOf(out), Map.of());
    }
    out.add(
        CheckResult.pass(
            "configuration",
            configDescription
                + ": "
                + s.datasets().size()
                + " dataset(s): "
                + String.join(
                    ", ", s.datasets().stream().map(Settings.DatasetSettings::name).toList())
                + (s.offsite().isPresent() ? "; off-site copies" : "")));
    Map<String, RedisFacts> redis = new LinkedHashMap<>();
    Map<String, SnapshotMethod> methods = new LinkedHashMap<>();
    for (Settings.DatasetSettings d : s.datasets()) {
      SnapshotMethod m = method != null ? method : d.method();
      methods.put(d.name(), m);
      redis.put(d.name(), RedisProbe.probe(d.endpoint(), m, timeout));
    }
    CheckTarget target = new CheckTarget(s, redis, methods, clock, timeout);
    for (SetupCheck rule : rules()) {
      out.addAll(rule.run(target));
    }
    return new Report(List.copyOf(out), java.util.Collections.unmodifiableMap(methods));
  }

  private List<SetupCheck> rules() {
    return List.of(
        new RedisAccessCheck(),
        new DataDirectoryCheck(),
        new RepositoryCheck(),
        new OffsiteCheck(),
        new EncryptionKeyCheck(),
        new CheckAofToolCheck(env),
        new SentinelsCheck(),
        new HttpListenCheck());
  }
}
