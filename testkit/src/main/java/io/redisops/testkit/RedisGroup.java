package io.redisops.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One master, its replicas and the sentinels that monitor it: real processes, usable with or
 * without JUnit.
 *
 * <p>{@link #start()} returns only when the group is settled: every replica reports {@code
 * master_link_status:up}, and every sentinel knows every replica (connected, not down, its
 * master-link-status read as ok) and every other sentinel. Servers run with {@code
 * repl-diskless-sync-delay 0} so replicas sync at once instead of after the default 5 s. With a
 * password, every server, replica link and sentinel uses it. If starting fails, everything started
 * so far is stopped and the error carries the log tails.
 */
public final class RedisGroup implements AutoCloseable {

  private final Builder spec;
  private RedisServer master;
  private final List<RedisServer> replicas = new ArrayList<>();
  private final List<RedisSentinel> sentinels = new ArrayList<>();

  private RedisGroup(Builder spec) {
    this.spec = spec;
  }

  /**
   * A builder with the defaults: 2 replicas, 3 sentinels, {@code mymaster}, quorum 2, 1500 / 5000
   * ms.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts master, replicas and sentinels and waits until the group is settled.
   *
   * @throws IllegalStateException if already started, or if a process fails or the group does not
   *     settle within the start timeout (everything is stopped again first)
   */
  public synchronized void start() {
    if (master != null) {
      throw new IllegalStateException("the group is already started");
    }
    try {
      master = server().start();
      for (int i = 0; i < spec.replicas; i++) {
        replicas.add(server().replicaOf(master).start());
      }
      for (RedisServer replica : replicas) {
        Await.until(
            spec.startTimeout,
            replica + " in sync with " + master,
            () -> "up".equals(replica.info("replication", "master_link_status")));
      }
      for (int i = 0; i < spec.sentinels; i++) {
        RedisSentinel.Builder sentinel =
            RedisSentinel.builder()
                .server(spec.build)
                .monitor(spec.masterName, master, spec.quorum)
                .downAfter(spec.downAfter)
                .failoverTimeout(spec.failoverTimeout);
        if (spec.password != null) {
          sentinel.password(spec.password);
        }
        sentinels.add(sentinel.start());
      }
      for (RedisSentinel sentinel : sentinels) {
        Await.until(
            spec.startTimeout,
            sentinel
                + " knowing "
                + spec.replicas
                + " replicas and "
                + (spec.sentinels - 1)
                + " other sentinels",
            () -> settled(sentinel));
      }
    } catch (RuntimeException | AssertionError e) {
      String tails = logTails(20);
      close();
      throw new IllegalStateException(
          "the Redis group did not come up: " + e.getMessage() + "\n" + tails, e);
    }
  }

  /**
   * The server started as master (after a failover it may be a replica: ask a sentinel for the
   * current one).
   */
  public synchronized RedisServer master() {
    if (master == null) {
      throw new IllegalStateException("the group has not been started");
    }
    return master;
  }

  /** The servers started as replicas, in start order. */
  public synchronized List<RedisServer> replicas() {
    return List.copyOf(replicas);
  }

  /** The sentinels, in start order. */
  public synchronized List<RedisSentinel> sentinels() {
    return List.copyOf(sentinels);
  }

  /** Master and replicas, in start order. */
  public synchronized List<RedisServer> servers() {
    List<RedisServer> all = new ArrayList<>();
    if (master != null) {
      all.add(master);
    }
    all.addAll(replicas);
    return all;
  }

  /** The name the sentinels monitor the master under. */
  public String masterName() {
    return spec.masterName;
  }

  /** The password of every server and sentinel, or null. */
  public String password() {
    return spec.password;
  }

  /**
   * The server that is master now according to the first running sentinel, or null if that server
   * is not one of this group's.
   */
  public synchronized RedisServer currentMaster() {
    RedisSentinel sentinel =
        sentinels.stream()
            .filter(RedisProcess::isAlive)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no sentinel of the group is running"));
    List<?> address = (List<?>) sentinel.sentinel("get-master-addr-by-name", spec.masterName);
    int port = Integer.parseInt((String) address.get(1));
    return servers().stream().filter(s -> s.port() == port).findFirst().orElse(null);
  }

  /** The last {@code lines} log lines of every process of the group, each under a header. */
  public synchronized String logTails(int lines) {
    StringBuilder out = new StringBuilder();
    List<RedisProcess> all = new ArrayList<>(servers());
    all.addAll(sentinels);
    for (RedisProcess process : all) {
      out.append("--- last ")
          .append(lines)
          .append(" lines of ")
          .append(process)
          .append(" log ")
          .append(process.logFile())
          .append(" ---\n")
          .append(process.logTail(lines))
          .append('\n');
    }
    return out.toString();
  }

  /**
   * Stops every process by PID (sentinels first, so they do not fail over while the servers go) and
   * deletes the temporary folders. Continues past failures and throws the first one at the end.
   */
  @Override
  public synchronized void close() {
    List<RedisProcess> order = new ArrayList<>(sentinels);
    order.addAll(replicas);
    if (master != null) {
      order.add(master);
    }
    RuntimeException first = null;
    for (RedisProcess process : order) {
      try {
        process.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    sentinels.clear();
    replicas.clear();
    master = null;
    if (first != null) {
      throw first;
    }
  }

  private RedisServer.Builder server() {
    RedisServer.Builder server =
        RedisServer.builder().server(spec.build).config("repl-diskless-sync-delay", "0");
    if (spec.password != null) {
      server.password(spec.password);
    }
    spec.config.forEach(line -> server.config(line[0], line[1]));
    return server;
  }

  private boolean settled(RedisSentinel sentinel) {
    List<?> knownReplicas = (List<?>) sentinel.sentinel("replicas", spec.masterName);
    List<?> knownSentinels = (List<?>) sentinel.sentinel("sentinels", spec.masterName);
    return knownReplicas.size() == spec.replicas
        && knownSentinels.size() == spec.sentinels - 1
        && knownReplicas.stream()
            .allMatch(
                r -> {
                  String flags = field((List<?>) r, "flags");
                  // master-link-status comes from the replica's INFO, which a sentinel reads
                  // only after connecting: until then it reports the link as err.
                  return flags != null
                      && !flags.contains("disconnected")
                      && !flags.contains("s_down")
                      && "ok".equals(field((List<?>) r, "master-link-status"));
                });
  }

  /** A field of a Sentinel reply entry, which RESP2 sends as a flat list of names and values. */
  private static String field(List<?> entry, String name) {
    for (int i = 0; i + 1 < entry.size(); i += 2) {
      if (name.equals(entry.get(i))) {
        return (String) entry.get(i + 1);
      }
    }
    return null;
  }

  /** Collects the group's settings. Every method returns this builder. */
  public static final class Builder {

    private int replicas = 2;
    private ServerBuild build = ServerBuild.DEBIAN;
    private int sentinels = 3;
    private String masterName = "mymaster";
    private int quorum = 2;
    private Duration downAfter = Duration.ofMillis(1500);
    private Duration failoverTimeout = Duration.ofSeconds(5);
    private String password;
    private final List<String[]> config = new ArrayList<>();
    private Duration startTimeout = Duration.ofSeconds(30);

    private Builder() {}

    /** Which server every member runs; default {@link ServerBuild#DEBIAN}. */
    public Builder server(ServerBuild build) {
      this.build = java.util.Objects.requireNonNull(build, "build");
      return this;
    }

    /** Number of replicas; default 2. */
    public Builder replicas(int replicas) {
      if (replicas < 0) {
        throw new IllegalArgumentException("replicas must be 0 or more, not " + replicas);
      }
      this.replicas = replicas;
      return this;
    }

    /** Number of sentinels; default 3. */
    public Builder sentinels(int sentinels) {
      if (sentinels < 0) {
        throw new IllegalArgumentException("sentinels must be 0 or more, not " + sentinels);
      }
      this.sentinels = sentinels;
      return this;
    }

    /** The monitored master's name; default {@code mymaster}. */
    public Builder masterName(String masterName) {
      this.masterName = Objects.requireNonNull(masterName, "masterName");
      return this;
    }

    /** Sentinels that must agree the master is down; default 2. */
    public Builder quorum(int quorum) {
      this.quorum = quorum;
      return this;
    }

    /** {@code down-after-milliseconds}; default 1500 ms. */
    public Builder downAfter(Duration downAfter) {
      this.downAfter = Objects.requireNonNull(downAfter, "downAfter");
      return this;
    }

    /** {@code failover-timeout}; default 5000 ms. */
    public Builder failoverTimeout(Duration failoverTimeout) {
      this.failoverTimeout = Objects.requireNonNull(failoverTimeout, "failoverTimeout");
      return this;
    }

    /**
     * One password for every server ({@code requirepass}, {@code masterauth}) and sentinel; default
     * none.
     */
    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * A config line for every server (not the sentinels); see {@link RedisServer.Builder#config}.
     */
    public Builder config(String key, String value) {
      config.add(new String[] {key, value});
      return this;
    }

    /** How long to wait for each step of the start (sync, discovery); default 30 s. */
    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout");
      return this;
    }

    /** A group with these settings, not started. */
    public RedisGroup build() {
      return new RedisGroup(this);
    }

    /** Builds and starts the group; see {@link RedisGroup#start()}. */
    public RedisGroup start() {
      RedisGroup group = build();
      group.start();
      return group;
    }
  }
}
