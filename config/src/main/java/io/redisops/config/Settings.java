package io.redisops.config;

import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Tier;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.retention.RetentionPolicy;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import io.redisops.secret.Secret;
import io.redisops.sentinel.BackupFrom;
import io.redisops.sentinel.SentinelTarget;
import io.redisops.text.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration with every default applied and command-line options laid over it: what commands
 * and jobs use. Validation happens here, once, with messages that name the key or option.
 *
 * @param compressionLevel the level new backups are compressed at ({@code
 *     repository.compression-level}, else the compression's default)
 */
public record Settings(
    Path repositoryPath,
    Compression compression,
    RetentionPolicy retention,
    List<DatasetSettings> datasets,
    ScheduleSettings schedule,
    DaemonSettings daemon,
    Optional<OffsiteSettings> offsite,
    Optional<Path> drillServer,
    int compressionLevel) {

  /** Settings that compress at the compression's default level. */
  public Settings(
      Path repositoryPath,
      Compression compression,
      RetentionPolicy retention,
      List<DatasetSettings> datasets,
      ScheduleSettings schedule,
      DaemonSettings daemon,
      Optional<OffsiteSettings> offsite,
      Optional<Path> drillServer) {
    this(
        repositoryPath,
        compression,
        retention,
        datasets,
        schedule,
        daemon,
        offsite,
        drillServer,
        compression.defaultLevel());
  }

  /** Settings without {@code drill.server}. */
  public Settings(
      Path repositoryPath,
      Compression compression,
      RetentionPolicy retention,
      List<DatasetSettings> datasets,
      ScheduleSettings schedule,
      DaemonSettings daemon,
      Optional<OffsiteSettings> offsite) {
    this(
        repositoryPath,
        compression,
        retention,
        datasets,
        schedule,
        daemon,
        offsite,
        Optional.empty());
  }

  /**
   * Settings without the daemon's HTTP endpoint and hooks and without off-site copies (for
   * embedding and tests).
   */
  public Settings(
      Path repositoryPath,
      Compression compression,
      RetentionPolicy retention,
      List<DatasetSettings> datasets,
      ScheduleSettings schedule) {
    this(
        repositoryPath,
        compression,
        retention,
        datasets,
        schedule,
        DaemonSettings.quiet(),
        Optional.empty());
  }

  /** Settings without off-site copies. */
  public Settings(
      Path repositoryPath,
      Compression compression,
      RetentionPolicy retention,
      List<DatasetSettings> datasets,
      ScheduleSettings schedule,
      DaemonSettings daemon) {
    this(repositoryPath, compression, retention, datasets, schedule, daemon, Optional.empty());
  }

  public static final String DEFAULT_REPOSITORY = "/var/lib/redis-ops/backups";
  public static final String ENV_REDIS_PASSWORD = "REDIS_OPS_REDIS_PASSWORD";

  /** With {@code offsite.credentials: env}: the access key of the off-site store. */
  public static final String ENV_S3_ACCESS_KEY_ID = "REDIS_OPS_S3_ACCESS_KEY_ID";

  public static final String ENV_S3_SECRET_ACCESS_KEY = "REDIS_OPS_S3_SECRET_ACCESS_KEY";

  public static final String ENV_SENTINEL_PASSWORD = "REDIS_OPS_SENTINEL_PASSWORD";

  /** {@code sentinel.backup-from}: replica (default) or master. */
  private static BackupFrom backupFrom(String s, String key) {
    if (s == null) {
      return BackupFrom.REPLICA;
    }
    return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "replica" -> BackupFrom.REPLICA;
      case "master" -> BackupFrom.MASTER;
      default ->
          throw RedisOpsException.usage(key + ": '" + s + "' is not valid; use replica or master");
    };
  }

  /**
   * One dataset: its name, how to reach its (local) Redis, how a restore stops and starts it and,
   * when it is monitored by Sentinel, the sentinels to follow and where scheduled backups come
   * from.
   *
   * @param configFile {@code redis.config-file}, or null for {@code config_file} of {@code INFO
   *     server}
   * @param startCommand {@code redis.start-command}, or null for {@code redis-server <config file>
   *     --daemonize yes}
   * @param stopCommand {@code redis.stop-command} as a command, or null for {@code shutdown-nosave}
   * @param sentinel the sentinels and master name; null without Sentinel
   * @param backupFrom where scheduled backups come from when {@code sentinel} is set
   * @param checkInterval {@code sentinel.check-interval}: how often the daemon runs the deployment
   *     checks when {@code sentinel} is set
   * @param method {@code method}: how the daemon's backups, and {@code backup} and {@code check}
   *     without {@code --method}, capture this dataset (null for auto)
   */
  public record DatasetSettings(
      String name,
      RedisEndpoint endpoint,
      String configFile,
      List<String> startCommand,
      List<String> stopCommand,
      SentinelTarget sentinel,
      BackupFrom backupFrom,
      Duration checkInterval,
      SnapshotMethod method) {
    /** The default of {@code sentinel.check-interval}. */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofMinutes(1);

    public DatasetSettings {
      checkInterval = checkInterval == null ? DEFAULT_CHECK_INTERVAL : checkInterval;
      method = method == null ? SnapshotMethod.AUTO : method;
    }

    public DatasetSettings(
        String name,
        RedisEndpoint endpoint,
        String configFile,
        List<String> startCommand,
        List<String> stopCommand,
        SentinelTarget sentinel,
        BackupFrom backupFrom) {
      this(name, endpoint, configFile, startCommand, stopCommand, sentinel, backupFrom, null, null);
    }

    public DatasetSettings(String name, RedisEndpoint endpoint) {
      this(name, endpoint, null, null, null);
    }

    public DatasetSettings(
        String name,
        RedisEndpoint endpoint,
        String configFile,
        List<String> startCommand,
        List<String> stopCommand) {
      this(name, endpoint, configFile, startCommand, stopCommand, null, null);
    }

    /** The same dataset, monitored by {@code sentinel}. */
    public DatasetSettings withSentinel(SentinelTarget target, BackupFrom from) {
      return withSentinel(target, from, DEFAULT_CHECK_INTERVAL);
    }

    /** The same dataset, monitored by {@code sentinel}, checked every {@code interval}. */
    public DatasetSettings withSentinel(SentinelTarget target, BackupFrom from, Duration interval) {
      return new DatasetSettings(
          name, endpoint, configFile, startCommand, stopCommand, target, from, interval, method);
    }

    /** The same dataset, captured by {@code m}. */
    public DatasetSettings withMethod(SnapshotMethod m) {
      return new DatasetSettings(
          name,
          endpoint,
          configFile,
          startCommand,
          stopCommand,
          sentinel,
          backupFrom,
          checkInterval,
          m);
    }
  }

  /** Command-line options that override the file; null when not given. */
  public record Overrides(
      String redisUri, String repository, String dataset, String tlsCaFile, String offsiteUri) {
    public Overrides(String redisUri, String repository, String dataset, String tlsCaFile) {
      this(redisUri, repository, dataset, tlsCaFile, null);
    }

    public static Overrides none() {
      return new Overrides(null, null, null, null, null);
    }
  }

  public static Settings resolve(Config config, Overrides o, Map<String, String> env) {
    Config.Repository repo =
        config.repository() == null ? new Config.Repository(null, null, null) : config.repository();
    Path repositoryPath = Path.of(firstNonNull(o.repository(), repo.path(), DEFAULT_REPOSITORY));
    Compression compression =
        repo.compression() == null ? Compression.ZSTD : compression(repo.compression());
    int level = compression.level(repo.compressionLevel(), "repository.compression-level");
    RetentionPolicy retention = retention(config.retention());
    return new Settings(
        repositoryPath,
        compression,
        retention,
        datasets(config, o, env),
        ScheduleSettings.resolve(config.schedule()),
        DaemonSettings.resolve(config),
        OffsiteConfig.resolve(
            config.offsite(), o.offsiteUri(), offsiteRetention(config.retention(), retention), env),
        drillServer(config.drill()),
        level);
  }

  /** {@code drill.server}: an absolute path to an executable file. */
  private static Optional<Path> drillServer(Config.Drill drill) {
    if (drill == null || drill.server() == null) {
      return Optional.empty();
    }
    Path p = Path.of(drill.server());
    if (!p.isAbsolute() || !Files.isRegularFile(p) || !Files.isExecutable(p)) {
      throw RedisOpsException.usage(
          "drill.server: '"
              + drill.server()
              + "' is not an absolute path to an executable file; give the path of a redis-server");
    }
    return Optional.of(p);
  }

  /** The dataset a command works on: {@code --dataset}, else the only one configured. */
  public DatasetSettings dataset(String requested) {
    if (requested != null) {
      return datasets.stream()
          .filter(d -> d.name().equals(requested))
          .findFirst()
          .orElseThrow(
              () ->
                  RedisOpsException.usage(
                      "dataset '"
                          + requested
                          + "' is not configured; configured: "
                          + String.join(
                              ", ", datasets.stream().map(DatasetSettings::name).toList())));
    }
    if (datasets.size() == 1) {
      return datasets.get(0);
    }
    throw RedisOpsException.usage(
        "several datasets are configured ("
            + String.join(", ", datasets.stream().map(DatasetSettings::name).toList())
            + "); pick one with --dataset NAME");
  }

  private static List<DatasetSettings> datasets(
      Config config, Overrides o, Map<String, String> env) {
    List<Config.Dataset> configured = config.datasets() == null ? List.of() : config.datasets();
    List<DatasetSettings> out = new ArrayList<>();
    if (o.redisUri() != null || configured.isEmpty()) {
      // --redis (or nothing at all): one dataset, named by --dataset or after the server.
      Config.Redis fromFile =
          configured.size() == 1 && configured.get(0).redis() != null
              ? configured.get(0).redis()
              : null;
      RedisEndpoint ep =
          endpoint(
              firstNonNull(o.redisUri(), RedisEndpoint.DEFAULT_URI), fromFile, o, env, "--redis");
      Config.Sentinel only = configured.size() == 1 ? configured.get(0).sentinel() : null;
      SentinelTarget sentinel =
          only == null ? null : sentinel(only, ep, env, "datasets[0].sentinel");
      String name =
          o.dataset() != null
              ? o.dataset()
              : configured.size() == 1 && configured.get(0).name() != null
                  ? configured.get(0).name()
                  : sentinel != null ? sentinel.masterName() : defaultName(ep);
      DatasetSettings d =
          withCommands(
              new DatasetSettings(BackupCatalog.checkDataset(name), ep),
              fromFile,
              "datasets[0].redis");
      if (sentinel != null) {
        d =
            d.withSentinel(
                sentinel,
                backupFrom(only.backupFrom(), "datasets[0].sentinel.backup-from"),
                checkInterval(only, "datasets[0].sentinel.check-interval"));
      }
      out.add(
          configured.size() == 1
              ? d.withMethod(method(configured.get(0).method(), "datasets[0].method"))
              : d);
      return out;
    }
    for (int i = 0; i < configured.size(); i++) {
      Config.Dataset d = configured.get(i);
      String key = "datasets[" + i + "]";
      Config.Redis r =
          d.redis() == null ? new Config.Redis(null, null, null, null, null, null) : d.redis();
      RedisEndpoint ep =
          endpoint(firstNonNull(r.uri(), RedisEndpoint.DEFAULT_URI), r, o, env, key + ".redis.uri");
      SentinelTarget sentinel =
          d.sentinel() == null ? null : sentinel(d.sentinel(), ep, env, key + ".sentinel");
      // with Sentinel the series is the master's, whichever server holds it: the name defaults to
      // the master name
      String name =
          d.name() != null ? d.name() : sentinel != null ? sentinel.masterName() : defaultName(ep);
      try {
        BackupCatalog.checkDataset(name);
      } catch (RedisOpsException e) {
        throw RedisOpsException.usage(key + ".name: " + e.getMessage());
      }
      if (out.stream().anyMatch(x -> x.name().equals(name))) {
        throw RedisOpsException.usage(
            key + ".name: dataset '" + name + "' is configured twice; give each a distinct name");
      }
      DatasetSettings settings =
          withCommands(new DatasetSettings(name, ep), d.redis(), key + ".redis");
      if (sentinel != null) {
        settings =
            settings.withSentinel(
                sentinel,
                backupFrom(d.sentinel().backupFrom(), key + ".sentinel.backup-from"),
                checkInterval(d.sentinel(), key + ".sentinel.check-interval"));
      }
      out.add(settings.withMethod(method(d.method(), key + ".method")));
    }
    return out;
  }

  /** A dataset's {@code method}: auto (the default), bgsave or replication. */
  private static SnapshotMethod method(String text, String key) {
    if (text == null) {
      return SnapshotMethod.AUTO;
    }
    try {
      return SnapshotMethod.parse(text.trim().toLowerCase(java.util.Locale.ROOT));
    } catch (RedisOpsException e) {
      throw RedisOpsException.usage(
          key + ": '" + text + "' is not valid; use auto, bgsave or replication");
    }
  }

  /** {@code sentinel.check-interval}: a positive duration, default 1 minute. */
  private static Duration checkInterval(Config.Sentinel s, String key) {
    if (s.checkInterval() == null) {
      return DatasetSettings.DEFAULT_CHECK_INTERVAL;
    }
    Duration d = Durations.parse(s.checkInterval(), key);
    if (d.isZero() || d.isNegative()) {
      throw RedisOpsException.usage(
          key + ": '" + s.checkInterval() + "' must be positive (e.g. 1m, 30s)");
    }
    return d;
  }

  /**
   * The sentinels of a dataset. Their password: env {@code REDIS_OPS_SENTINEL_PASSWORD}, else
   * {@code password-file}, else the one in a node's URI; the servers they report are logged in to
   * with the dataset's Redis credentials.
   */
  private static SentinelTarget sentinel(
      Config.Sentinel s, RedisEndpoint redis, Map<String, String> env, String key) {
    if (s.master() == null || s.master().isBlank()) {
      throw RedisOpsException.usage(
          key + ".master: the master name the sentinels monitor is required");
    }
    List<RedisEndpoint> nodes =
        new ArrayList<>(SentinelTarget.parseNodes(s.nodes(), key + ".nodes"));
    Optional<Secret> pw =
        Optional.ofNullable(env.get(ENV_SENTINEL_PASSWORD))
            .filter(v -> !v.isEmpty())
            .map(Secret::of);
    if (pw.isEmpty() && s.passwordFile() != null) {
      pw = Optional.of(readSecret(Path.of(s.passwordFile()), key + ".password-file"));
    }
    for (int i = 0; i < nodes.size(); i++) {
      RedisEndpoint n = nodes.get(i);
      if (n.password() == null && pw.isPresent()) {
        n = n.withPassword(pw.get());
      }
      if (n.username() == null && s.user() != null) {
        n = n.withUsername(s.user());
      }
      if (n.tls() && n.caFile() == null && redis.caFile() != null) {
        n = n.withCaFile(redis.caFile());
      }
      nodes.set(i, n);
    }
    return new SentinelTarget(s.master().trim(), nodes, redis);
  }

  /** Adds {@code config-file}, {@code start-command} and {@code stop-command}, validated. */
  private static DatasetSettings withCommands(DatasetSettings d, Config.Redis r, String key) {
    if (r == null) {
      return d;
    }
    String configFile = r.configFile();
    if (configFile != null && (configFile.isBlank() || !Path.of(configFile).isAbsolute())) {
      throw RedisOpsException.usage(
          key + ".config-file: '" + configFile + "' must be an absolute path");
    }
    List<String> start = r.startCommand();
    if (start != null
        && (start.isEmpty() || start.stream().anyMatch(a -> a == null || a.isEmpty()))) {
      throw RedisOpsException.usage(
          key + ".start-command: give a non-empty list such as [systemctl, start, redis-server]");
    }
    List<String> stop = null;
    Object s = r.stopCommand();
    if (s instanceof String text) {
      if (!text.equals("shutdown-nosave")) {
        throw RedisOpsException.usage(
            key
                + ".stop-command: '"
                + text
                + "' is not shutdown-nosave; give shutdown-nosave"
                + " or a command list such as [systemctl, stop, redis-server]");
      }
    } else if (s instanceof List<?> list) {
      if (list.isEmpty()
          || list.stream().anyMatch(a -> !(a instanceof String str) || str.isEmpty())) {
        throw RedisOpsException.usage(
            key + ".stop-command: give shutdown-nosave or a non-empty list of strings");
      }
      stop = list.stream().map(String.class::cast).toList();
    } else if (s != null) {
      throw RedisOpsException.usage(key + ".stop-command: give shutdown-nosave or a command list");
    }
    return new DatasetSettings(d.name(), d.endpoint(), configFile, start, stop);
  }

  private static RedisEndpoint endpoint(
      String uri, Config.Redis file, Overrides o, Map<String, String> env, String key) {
    RedisEndpoint ep;
    try {
      ep = RedisEndpoint.parse(uri);
    } catch (RedisOpsException e) {
      throw RedisOpsException.usage(key + ": " + e.getMessage());
    }
    if (ep.password() == null) {
      Optional<Secret> pw =
          Optional.ofNullable(env.get(ENV_REDIS_PASSWORD))
              .filter(s -> !s.isEmpty())
              .map(Secret::of);
      if (pw.isEmpty() && file != null && file.passwordFile() != null) {
        // Read when a command logs in, not before: list, show, verify and prune need no password.
        Path passwordFile = Path.of(file.passwordFile());
        pw =
            Optional.of(
                Secret.deferred(
                    () ->
                        readSecret(
                                passwordFile,
                                key.endsWith(".uri")
                                    ? key.substring(0, key.length() - 4) + ".password-file"
                                    : "redis.password-file")
                            .reveal()));
      }
      if (pw.isPresent()) {
        ep = ep.withPassword(pw.get());
      }
    }
    String ca = firstNonNull(o.tlsCaFile(), file == null ? null : file.tlsCaFile(), null);
    return ca == null ? ep : ep.withCaFile(Path.of(ca));
  }

  /** Reads a secret from a file: the first line, without its line end. */
  public static Secret readSecret(Path file, String key) {
    try {
      String s = Files.readString(file);
      int nl = s.indexOf('\n');
      return Secret.of((nl < 0 ? s : s.substring(0, nl)).stripTrailing());
    } catch (java.nio.file.NoSuchFileException e) {
      throw RedisOpsException.usage(
          key
              + ": the password file "
              + file
              + " does not exist; create it (first line:"
              + " the password, mode 0600) or fix the key");
    } catch (java.nio.file.AccessDeniedException e) {
      throw RedisOpsException.usage(
          key
              + ": permission denied on the password file "
              + file
              + "; let the user"
              + " running redis-ops read it");
    } catch (IOException e) {
      throw RedisOpsException.usage(
          key + ": unable to read the password file " + file + ": " + e.getMessage());
    }
  }

  private static String defaultName(RedisEndpoint ep) {
    if (ep.isSocket()) {
      // unix:///run/redis/redis-server.sock: the dataset "redis-server"
      String file = ep.socket().getFileName().toString();
      return file.endsWith(".sock") && file.length() > 5
          ? file.substring(0, file.length() - 5)
          : file;
    }
    return ep.host().replace(':', '_') + "-" + ep.port();
  }

  private static Compression compression(String text) {
    try {
      return Compression.parse(text);
    } catch (RedisOpsException e) {
      throw RedisOpsException.usage("repository.compression: " + e.getMessage());
    }
  }

  private static RetentionPolicy retention(Config.Retention r) {
    Map<Tier, java.time.Duration> m = new EnumMap<>(Tier.class);
    m.put(
        Tier.HOURLY,
        r == null || r.hourly() == null
            ? RetentionPolicy.DEFAULT_HOURLY
            : Durations.parse(r.hourly(), "retention.hourly"));
    m.put(
        Tier.DAILY,
        r == null || r.daily() == null
            ? RetentionPolicy.DEFAULT_DAILY
            : Durations.parse(r.daily(), "retention.daily"));
    return new RetentionPolicy(m, archiveRetention(r));
  }

  private static java.time.Duration archiveRetention(Config.Retention r) {
    return r == null || r.archive() == null
        ? RetentionPolicy.DEFAULT_ARCHIVE
        : Durations.parse(r.archive(), "retention.archive");
  }

  /** Off-site tiers default to the local ones: the same policy unless configured apart. */
  private static RetentionPolicy offsiteRetention(Config.Retention r, RetentionPolicy local) {
    Map<Tier, java.time.Duration> m = new EnumMap<>(Tier.class);
    m.put(
        Tier.HOURLY,
        r == null || r.offsiteHourly() == null
            ? local.maxAge(Tier.HOURLY).orElseThrow()
            : Durations.parse(r.offsiteHourly(), "retention.offsite-hourly"));
    m.put(
        Tier.DAILY,
        r == null || r.offsiteDaily() == null
            ? local.maxAge(Tier.DAILY).orElseThrow()
            : Durations.parse(r.offsiteDaily(), "retention.offsite-daily"));
    return new RetentionPolicy(m, local.archive());
  }

  @SafeVarargs
  private static <T> T firstNonNull(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}
