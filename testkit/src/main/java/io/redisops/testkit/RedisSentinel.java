package io.redisops.testkit;

import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A real {@code redis-sentinel} child process monitoring one master, usable with or without JUnit.
 *
 * <p>Generated config: {@code port}, {@code bind 127.0.0.1}, {@code daemonize no}, {@code dir},
 * {@code logfile}, {@code sentinel resolve-hostnames yes}, {@code sentinel monitor NAME HOST PORT
 * QUORUM}, {@code down-after-milliseconds}, {@code failover-timeout}, {@code auth-user}/{@code
 * auth-pass} when the master needs them, {@code requirepass} and {@code sentinel sentinel-pass}
 * when the sentinels have a password, then every {@link Builder#config(String, String)} line.
 * Sentinel rewrites this file as it learns the topology; a restart uses the rewritten file. See
 * {@link RedisProcess} for the lifecycle contract.
 */
public final class RedisSentinel extends RedisProcess {

  private final Builder spec;

  private RedisSentinel(Builder spec) {
    super(
        "redis-sentinel",
        spec.build,
        spec.dir,
        "sentinel",
        null,
        spec.password,
        spec.startTimeout,
        spec.stopTimeout);
    this.spec = spec;
  }

  /** A builder; {@link Builder#monitor} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The name of the monitored master ({@code sentinel monitor NAME ...}). */
  public String masterName() {
    return spec.masterName;
  }

  /**
   * A Lettuce Sentinel client on this sentinel, created on first use and closed by {@link #stop()}
   * and {@link #kill9()}.
   *
   * @throws IllegalStateException if the sentinel is not running
   */
  public RedisSentinelCommands<String, String> sync() {
    @SuppressWarnings("unchecked")
    StatefulRedisSentinelConnection<String, String> connection =
        connection(StatefulRedisSentinelConnection.class, client -> client.connectSentinel());
    return connection.sync();
  }

  /**
   * Sends one {@code SENTINEL} subcommand over a fresh connection and returns the raw RESP2 reply
   * (strings, longs, nested lists), e.g. {@code sentinel("sentinels", "mymaster")}, which Lettuce
   * lacks.
   */
  public Object sentinel(String... args) {
    String[] command = new String[args.length + 1];
    command[0] = "SENTINEL";
    System.arraycopy(args, 0, command, 1, args.length);
    return call(command);
  }

  @Override
  List<String> configLines(int port) {
    String name = spec.masterName;
    List<String> lines = new ArrayList<>();
    lines.add("port " + port);
    lines.add("bind " + HOST);
    lines.add("daemonize no");
    lines.add("dir " + quote(dir().toString()));
    lines.add("logfile " + quote(logFile().toString()));
    lines.add("sentinel resolve-hostnames yes");
    lines.add(
        "sentinel monitor "
            + name
            + " "
            + spec.masterHost
            + " "
            + spec.masterPort
            + " "
            + spec.quorum);
    lines.add("sentinel down-after-milliseconds " + name + " " + spec.downAfter.toMillis());
    lines.add("sentinel failover-timeout " + name + " " + spec.failoverTimeout.toMillis());
    if (spec.authUser != null) {
      lines.add("sentinel auth-user " + name + " " + quote(spec.authUser));
    }
    if (spec.authPass != null) {
      lines.add("sentinel auth-pass " + name + " " + quote(spec.authPass));
    }
    if (spec.password != null) {
      lines.add("requirepass " + quote(spec.password));
      // the sentinels of a group share one password and must log in to each other with it
      lines.add("sentinel sentinel-pass " + quote(spec.password));
    }
    lines.addAll(spec.config);
    return lines;
  }

  /** Collects the settings of one sentinel. Every method returns this builder. */
  public static final class Builder {

    private Path dir;
    private ServerBuild build = ServerBuild.DEBIAN;
    private String masterName;
    private String masterHost;
    private int masterPort;
    private int quorum;
    private Duration downAfter = Duration.ofMillis(1500);
    private Duration failoverTimeout = Duration.ofSeconds(5);
    private String authUser;
    private String authPass;
    private String password;
    private final List<String> config = new ArrayList<>();
    private Duration startTimeout = Duration.ofSeconds(30);
    private Duration stopTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /** Which server's sentinel to run; default {@link ServerBuild#DEBIAN}. */
    public Builder server(ServerBuild build) {
      this.build = Objects.requireNonNull(build, "build");
      return this;
    }

    /**
     * The working directory (created if missing); default: a fresh temporary folder, deleted by
     * close().
     */
    public Builder dir(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** Monitors the master {@code host:port} under {@code name}, with {@code quorum}. */
    public Builder monitor(String name, String host, int port, int quorum) {
      this.masterName = Objects.requireNonNull(name, "name");
      this.masterHost = Objects.requireNonNull(host, "host");
      this.masterPort = port;
      this.quorum = quorum;
      return this;
    }

    /**
     * Monitors a started {@code master}, logging in with its credentials ({@code auth-user}/{@code
     * auth-pass}).
     */
    public Builder monitor(String name, RedisServer master, int quorum) {
      monitor(name, master.host(), master.port(), quorum);
      if (master.password() != null) {
        this.authUser = master.username();
        this.authPass = master.password();
      }
      return this;
    }

    /**
     * {@code sentinel auth-user} (when {@code user} is not null) and {@code sentinel auth-pass} for
     * the master.
     */
    public Builder masterAuth(String user, String password) {
      this.authUser = user;
      this.authPass = Objects.requireNonNull(password, "password");
      return this;
    }

    /** {@code sentinel down-after-milliseconds}; default 1500 ms. */
    public Builder downAfter(Duration downAfter) {
      this.downAfter = Objects.requireNonNull(downAfter, "downAfter");
      return this;
    }

    /** {@code sentinel failover-timeout}; default 5000 ms. */
    public Builder failoverTimeout(Duration failoverTimeout) {
      this.failoverTimeout = Objects.requireNonNull(failoverTimeout, "failoverTimeout");
      return this;
    }

    /**
     * This sentinel's own {@code requirepass}, also used as {@code sentinel-pass} towards the other
     * sentinels.
     */
    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * Adds the config line {@code key value} as given, after the generated ones (e.g. {@code
     * "sentinel", "parallel-syncs mymaster 2"}).
     */
    public Builder config(String key, String value) {
      config.add(key + " " + value);
      return this;
    }

    /** How long {@code start()} waits for PONG; default 30 s. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** How long {@code stop()} waits after SIGTERM before SIGKILL; default 10 s. */
    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * A sentinel with these settings, not started. @throws IllegalStateException without {@link
     * #monitor}
     */
    public RedisSentinel build() {
      if (masterName == null) {
        throw new IllegalStateException("a sentinel needs monitor(name, host, port, quorum)");
      }
      return new RedisSentinel(this);
    }

    /** Builds and starts the sentinel; see {@link RedisProcess#start()}. */
    public RedisSentinel start() {
      RedisSentinel sentinel = build();
      sentinel.start();
      return sentinel;
    }
  }
}
