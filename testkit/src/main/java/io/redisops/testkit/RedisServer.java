package io.redisops.testkit;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A real {@code redis-server} child process, usable with or without JUnit.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.builder().config("appendonly", "yes").start()) {
 *   redis.sync().set("k", "v");
 * }
 * }</pre>
 *
 * <p>Generated config: {@code port}, {@code bind 127.0.0.1}, {@code daemonize no}, {@code dir},
 * {@code logfile}, {@code save ""} (unless a {@code save} line is configured), the credentials and
 * replication lines, then every {@link Builder#config(String, String)} line in order. See {@link
 * RedisProcess} for the lifecycle contract.
 */
public final class RedisServer extends RedisProcess {

  private final Builder spec;

  private RedisServer(Builder spec) {
    super(
        "redis-server",
        spec.build,
        spec.dir,
        "redis",
        spec.clientUser(),
        spec.clientPassword(),
        spec.startTimeout,
        spec.stopTimeout);
    this.spec = spec;
  }

  /**
   * A builder with the defaults: fresh temporary folder, no password, no persistence, standalone.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * An authenticated Lettuce client on this server, created on first use and closed by {@link
   * #stop()} and {@link #kill9()}; call again after a restart for a new one.
   *
   * @throws IllegalStateException if the server is not running
   */
  public RedisCommands<String, String> sync() {
    @SuppressWarnings("unchecked")
    StatefulRedisConnection<String, String> connection =
        connection(StatefulRedisConnection.class, client -> client.connect());
    return connection.sync();
  }

  /**
   * The value of one field of {@code INFO} (for example {@code master_link_status}), or null if
   * absent.
   */
  public String info(String section, String field) {
    String info = (String) call("INFO", section);
    for (String line : info.split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1);
      }
    }
    return null;
  }

  /** The password of the default user ({@code requirepass}), or null. */
  String requirePass() {
    return spec.password;
  }

  @Override
  List<String> configLines(int port) {
    List<String> lines = new ArrayList<>();
    lines.add("port " + port);
    lines.add("bind " + HOST);
    lines.add("daemonize no");
    lines.add("dir " + quote(dir().toString()));
    lines.add("logfile " + quote(logFile().toString()));
    if (spec.config.stream().noneMatch(line -> line.startsWith("save "))) {
      lines.add("save \"\"");
    }
    if (spec.password != null) {
      lines.add("requirepass " + quote(spec.password));
    } else if (!spec.aclUsers.isEmpty()) {
      // An ACL user is asked for to test logins: an open default user would let anyone in.
      lines.add("user default off");
    }
    lines.addAll(spec.aclUsers);
    if (spec.masterHost != null) {
      lines.add("replicaof " + spec.masterHost + " " + spec.masterPort);
      if (spec.masterUser != null) {
        lines.add("masteruser " + quote(spec.masterUser));
      }
      if (spec.masterPassword != null) {
        lines.add("masterauth " + quote(spec.masterPassword));
      }
    }
    lines.addAll(spec.config);
    return lines;
  }

  /** Collects the settings of one server. Every method returns this builder. */
  public static final class Builder {

    private static final Set<String> OWNED = Set.of("port", "bind", "daemonize", "dir", "logfile");

    private Path dir;
    private ServerBuild build = ServerBuild.DEBIAN;
    private final List<String> config = new ArrayList<>();
    private String password;
    private final List<String> aclUsers = new ArrayList<>();
    private String firstAclUser;
    private String firstAclSecret;
    private String masterHost;
    private int masterPort;
    private String masterUser;
    private String masterPassword;
    private Duration startTimeout = Duration.ofSeconds(30);
    private Duration stopTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /** Which server to run; default {@link ServerBuild#DEBIAN}. */
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

    /**
     * Adds the config file line {@code key value}, written as given (quote values yourself where
     * Redis needs it, e.g. {@code config("save", "\"\"")}). Lines are written in order after the
     * generated ones, so they win.
     *
     * @throws IllegalArgumentException for {@code port bind daemonize dir logfile} (owned by the
     *     testkit), {@code requirepass} (use {@link #password}) and {@code replicaof/slaveof} (use
     *     {@link #replicaOf})
     */
    public Builder config(String key, String value) {
      String k = key.trim().toLowerCase(java.util.Locale.ROOT);
      if (OWNED.contains(k)) {
        throw new IllegalArgumentException(
            "config '" + k + "' is set by the testkit; use dir(...) for the folder");
      }
      if (k.equals("requirepass")) {
        throw new IllegalArgumentException(
            "use password(...) instead of config(\"requirepass\", ...)");
      }
      if (k.equals("replicaof") || k.equals("slaveof")) {
        throw new IllegalArgumentException(
            "use replicaOf(...) instead of config(\"" + k + "\", ...)");
      }
      config.add(k + " " + value);
      return this;
    }

    /**
     * Sets {@code requirepass}: the default user needs this password; the testkit's clients use it.
     */
    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * Adds the ACL user {@code user NAME RULES... >SECRET}, e.g. {@code aclUser("alice", "secret",
     * "on", "~*", "&*", "+@all")}. Without {@link #password} the default user is switched off and
     * the testkit's clients log in as the first ACL user.
     */
    public Builder aclUser(String name, String secret, String... rules) {
      StringBuilder line = new StringBuilder("user ").append(name);
      for (String rule : rules) {
        line.append(' ').append(rule);
      }
      line.append(" >").append(secret);
      aclUsers.add(line.toString());
      if (firstAclUser == null) {
        firstAclUser = name;
        firstAclSecret = secret;
      }
      return this;
    }

    /**
     * Makes this server a replica of {@code host:port}. If this server has a {@link #password} and
     * no {@link #masterAuth} is given, the same password is used as {@code masterauth}.
     */
    public Builder replicaOf(String host, int port) {
      this.masterHost = Objects.requireNonNull(host, "host");
      this.masterPort = port;
      return this;
    }

    /**
     * Makes this server a replica of a started {@code master}, logging in with the master's
     * credentials.
     */
    public Builder replicaOf(RedisServer master) {
      replicaOf(master.host(), master.port());
      if (master.password() != null && masterPassword == null) {
        masterAuth(master.username(), master.password());
      }
      return this;
    }

    /** Sets {@code masteruser} (when {@code user} is not null) and {@code masterauth}. */
    public Builder masterAuth(String user, String password) {
      this.masterUser = user;
      this.masterPassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * How long {@code start()} waits for PONG; default 30 s (a large dataset may be LOADING for a
     * while).
     */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** How long {@code stop()} waits after SIGTERM before SIGKILL; default 10 s. */
    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** A server with these settings, not started. */
    public RedisServer build() {
      if (masterHost != null && masterPassword == null && password != null) {
        masterPassword = password;
      }
      return new RedisServer(this);
    }

    /** Builds and starts the server; see {@link RedisProcess#start()}. */
    public RedisServer start() {
      RedisServer server = build();
      server.start();
      return server;
    }

    private String clientUser() {
      return password == null && firstAclUser != null ? firstAclUser : null;
    }

    private String clientPassword() {
      return password != null ? password : firstAclSecret;
    }
  }
}
