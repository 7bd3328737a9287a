package io.redisops.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.catalog.ManifestCodec;
import io.redisops.backup.service.BackupContext;
import io.redisops.backup.service.Offsite;
import io.redisops.config.Config;
import io.redisops.config.ConfigLoader;
import io.redisops.config.Settings;
import io.redisops.error.RedisOpsException;
import io.redisops.progress.LoggingProgress;
import io.redisops.progress.ProgressListener;
import io.redisops.redis.RedisConnector;
import io.redisops.redis.RedisEndpoint;
import io.redisops.sentinel.SentinelClient;
import io.redisops.sentinel.ServerResolver;
import io.redisops.storage.LocalRepository;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What every command needs, resolved once from the global options and the configuration file:
 * settings, the backup context, the output writers and a progress listener fit for where the output
 * goes.
 */
final class CommandContext {
  private final GlobalOptions root;
  private final CommandSpec spec;
  private final Clock clock;
  private Settings settings;

  CommandContext(CommandSpec spec) {
    this(spec, Clock.system(ZoneId.systemDefault()));
  }

  CommandContext(CommandSpec spec, Clock clock) {
    this.spec = spec;
    this.root = ((RedisOpsCommand) spec.root().commandLine().getCommand()).global;
    this.clock = clock;
  }

  private Config config;

  Config config() {
    if (config == null) {
      config = root.config == null ? Config.empty() : ConfigLoader.load(Path.of(root.config));
    }
    return config;
  }

  /**
   * True when the configuration file names datasets (else the one dataset is made up from
   * --redis/--dataset).
   */
  boolean datasetsConfigured() {
    return config().datasets() != null && !config().datasets().isEmpty();
  }

  /** The configuration file given with {@code -c}, or null. */
  String configFile() {
    return root.config;
  }

  /** True when {@code --redis} was given. */
  boolean redisGiven() {
    return root.redis != null;
  }

  /** True when {@code --dataset} was given. */
  boolean datasetGiven() {
    return root.dataset != null;
  }

  Settings settings() {
    if (settings == null) {
      Config config = config();
      settings =
          Settings.resolve(
              config,
              new Settings.Overrides(
                  root.redis, root.repo, root.dataset, root.tlsCaFile, root.offsite),
              System.getenv());
    }
    return settings;
  }

  Settings.DatasetSettings dataset() {
    return settings().dataset(root.redis != null ? null : root.dataset);
  }

  /** What a command does with the dataset's Redis, which decides the server of a Sentinel group. */
  enum Use {
    /** Take a backup: the {@code sentinel.backup-from} choice, on any host. */
    BACKUP,
    /** Work on its files ({@code restore}, the AOF tools): the master, on this host. */
    MASTER
  }

  /**
   * The Redis a command works on, and how it was chosen.
   *
   * @param chosen the sentinels' choice; null when {@code --redis} or {@code redis.uri} was taken
   */
  record Server(RedisEndpoint endpoint, ServerResolver.Chosen chosen) {}

  private Server server;

  /**
   * The Redis the command works on, resolved once: {@code --redis} when given; for a dataset with a
   * {@code sentinel} section, the server the sentinels' current view names for {@code use} (said on
   * stderr, and as {@code server} in the JSON document); else {@code redis.uri}.
   *
   * @param what the command, for a refusal ("restore")
   */
  Server server(Use use, String what) {
    if (server == null) {
      Settings.DatasetSettings ds = dataset();
      if (root.redis != null || ds.sentinel() == null) {
        server = new Server(ds.endpoint(), null);
      } else {
        try (SentinelClient client = new SentinelClient()) {
          ServerResolver resolver = new ServerResolver(client, ds.sentinel(), clock);
          ServerResolver.Chosen c =
              use == Use.BACKUP
                  ? resolver.forBackup(ds.backupFrom(), ds.endpoint())
                  : resolver.master(ds.endpoint(), what);
          server = new Server(c.endpoint(), c);
        }
        err().println("dataset " + ds.name() + ": " + server.chosen().describe());
        err().flush();
      }
    }
    return server;
  }

  /**
   * The {@code server} field of the JSON documents of commands that resolved it through Sentinel.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record ServerJson(
      String address, String role, String chosenBy, long configEpoch, boolean onThisHost) {}

  /**
   * The datasets a command that reads the repository works on: the one named by {@code --dataset}
   * or {@code --redis}; else every dataset with backups in {@code repositories}; else (none has
   * any) the configured ones, so that the message names them.
   */
  java.util.List<String> datasetsIn(io.redisops.storage.Repository... repositories)
      throws java.io.IOException {
    if (datasetGiven() || redisGiven()) {
      return java.util.List.of(dataset().name());
    }
    java.util.TreeSet<String> names = new java.util.TreeSet<>();
    for (io.redisops.storage.Repository r : repositories) {
      names.addAll(io.redisops.backup.catalog.BackupCatalog.datasets(r));
    }
    if (!names.isEmpty()) {
      return java.util.List.copyOf(names);
    }
    return settings().datasets().stream().map(Settings.DatasetSettings::name).toList();
  }

  BackupContext backupContext() {
    Settings s = settings();
    LocalRepository repository = new LocalRepository(s.repositoryPath());
    return new BackupContext(
        repository,
        s.compression(),
        s.retention(),
        lockDir(repository.root(), System.getenv()),
        clock,
        RedisConnector.DEFAULT_TIMEOUT,
        VersionProvider.version(),
        s.compressionLevel());
  }

  /**
   * Where the datasets' locks and restore state live: the repository itself, unless it can be read
   * but not written (a recovery host that mounts the backups read-only must still restore from
   * them). Then a folder of this host: {@code $REDIS_OPS_STATE_DIR}, else {@code
   * $XDG_STATE_HOME/redis-ops}, else {@code ~/.local/state/redis-ops} (or {@code
   * <tmp>/redis-ops-state-<user>} without a writable home), with one sub-folder per repository
   * path. This user cannot write such a repository, so none of its backups needs the lock there.
   */
  static Path lockDir(Path repository, Map<String, String> env) {
    if (!readOnly(repository)) {
      return repository;
    }
    Path home = Path.of(System.getProperty("user.home"));
    Path base =
        env.get("REDIS_OPS_STATE_DIR") != null
            ? Path.of(env.get("REDIS_OPS_STATE_DIR"))
            : env.get("XDG_STATE_HOME") != null
                ? Path.of(env.get("XDG_STATE_HOME"), "redis-ops")
                : Files.isDirectory(home) && Files.isWritable(home)
                    ? home.resolve(".local").resolve("state").resolve("redis-ops")
                    : Path.of(
                        System.getProperty("java.io.tmpdir"),
                        "redis-ops-state-" + System.getProperty("user.name"));
    String name =
        repository.toAbsolutePath().normalize().toString().replaceAll("^/+", "").replace('/', '_');
    return base.resolve("read-only-repositories").resolve(name.isEmpty() ? "root" : name);
  }

  private static boolean readOnly(Path repository) {
    if (!Files.isDirectory(repository)) {
      return false;
    }
    try {
      // Readable but not writable (a read-only mount, or backups owned by another user): reading
      // works, locking there
      // cannot. An unreadable repository keeps its own path, so the error names it (permission
      // denied).
      return Files.getFileStore(repository).isReadOnly()
          || (Files.isReadable(repository)
              && Files.isExecutable(repository)
              && !Files.isWritable(repository));
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** The off-site repository; a usage error when none is configured. Close it when done. */
  Offsite offsite() {
    return settings()
        .offsite()
        .orElseThrow(
            () ->
                RedisOpsException.usage(
                    "no off-site repository is configured; set "
                        + "offsite.uri in the configuration file or give --offsite s3://bucket/prefix"))
        .connect(backupContext());
  }

  Clock clock() {
    return clock;
  }

  boolean json() {
    return root.json;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /**
   * Where plans and step reports go: stdout, or stderr under --json (stdout holds the one JSON
   * document then).
   */
  PrintWriter report() {
    return json() ? err() : out();
  }

  /**
   * How the operator calls redis-ops, for advice lines: -c and --dataset, never the URI (it may
   * hold a password).
   */
  String commandPrefix() {
    return root.commandPrefix();
  }

  /**
   * A progress bar on a terminal (never with --json), and a log line every few seconds for -v and
   * the daemon.
   */
  ProgressListener progress() {
    ProgressListener logging = new LoggingProgress(clock, Duration.ofSeconds(5));
    if (!root.json && Terminals.console() != null) {
      return ProgressListener.both(new TerminalProgress(), logging);
    }
    return logging;
  }

  /**
   * Prints one JSON document on stdout; when the server was chosen by the sentinels, an object gets
   * the field {@code server} saying which.
   */
  void printJson(Object value) {
    try {
      ObjectMapper mapper = ManifestCodec.mapper();
      Object doc = value;
      if (server != null && server.chosen() != null) {
        com.fasterxml.jackson.databind.JsonNode tree = mapper.valueToTree(value);
        if (tree instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
          ServerResolver.Chosen c = server.chosen();
          o.set(
              "server",
              mapper.valueToTree(
                  new ServerJson(
                      c.address(), c.role(), "sentinels", c.configEpoch(), c.onThisHost())));
          doc = o;
        }
      }
      out().println(mapper.writeValueAsString(doc));
      out().flush();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw RedisOpsException.failed("unable to print JSON: " + e.getOriginalMessage(), e);
    }
  }
}
