package io.redisops.testkit;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * JUnit 5 extension around one {@link RedisGroup}: a master, replicas and sentinels.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisGroupExtension group = RedisGroupExtension.builder().replicas(2).sentinels(3).build();
 * }</pre>
 *
 * <p>Static field: started in {@code beforeAll}, stopped after all tests; instance field: per test.
 * Every process is stopped by PID also when tests fail, and a failing test gets every process's log
 * tail on {@code System.err}.
 */
public final class RedisGroupExtension extends LifecycleExtension {

  private final RedisGroup.Builder spec;
  private RedisGroup group;

  private RedisGroupExtension(RedisGroup.Builder spec) {
    this.spec = spec;
  }

  /** A builder with the defaults of {@link RedisGroup#builder()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The running group. @throws IllegalStateException outside the extension's lifecycle */
  public synchronized RedisGroup group() {
    if (group == null) {
      throw new IllegalStateException(
          "the Redis group is not started (outside the test lifecycle?)");
    }
    return group;
  }

  /**
   * @see RedisGroup#master()
   */
  public RedisServer master() {
    return group().master();
  }

  /**
   * @see RedisGroup#replicas()
   */
  public List<RedisServer> replicas() {
    return group().replicas();
  }

  /**
   * @see RedisGroup#sentinels()
   */
  public List<RedisSentinel> sentinels() {
    return group().sentinels();
  }

  /**
   * @see RedisGroup#servers()
   */
  public List<RedisServer> servers() {
    return group().servers();
  }

  /**
   * @see RedisGroup#currentMaster()
   */
  public RedisServer currentMaster() {
    return group().currentMaster();
  }

  /**
   * @see RedisGroup#masterName()
   */
  public String masterName() {
    return group().masterName();
  }

  /**
   * @see RedisGroup#password()
   */
  public String password() {
    return group().password();
  }

  @Override
  synchronized void startResource() {
    RedisGroup created = spec.build();
    created.start(); // cleans up after itself when it fails
    group = created;
  }

  @Override
  synchronized void stopResource() {
    if (group != null) {
      try {
        group.close();
      } finally {
        group = null;
      }
    }
  }

  @Override
  synchronized void printDiagnostics(PrintStream out) {
    if (group != null) {
      out.print(group.logTails(FAILURE_TAIL_LINES));
    }
  }

  /** Collects the group's settings; see {@link RedisGroup.Builder} for each method's contract. */
  public static final class Builder {

    private final RedisGroup.Builder group = RedisGroup.builder();

    private Builder() {}

    /**
     * @see RedisGroup.Builder#replicas(int)
     */
    public Builder replicas(int replicas) {
      group.replicas(replicas);
      return this;
    }

    /**
     * @see RedisGroup.Builder#sentinels(int)
     */
    public Builder sentinels(int sentinels) {
      group.sentinels(sentinels);
      return this;
    }

    /**
     * @see RedisGroup.Builder#masterName(String)
     */
    public Builder masterName(String masterName) {
      group.masterName(masterName);
      return this;
    }

    /**
     * @see RedisGroup.Builder#quorum(int)
     */
    public Builder quorum(int quorum) {
      group.quorum(quorum);
      return this;
    }

    /**
     * @see RedisGroup.Builder#downAfter(Duration)
     */
    public Builder downAfter(Duration downAfter) {
      group.downAfter(downAfter);
      return this;
    }

    /** Same as {@link #downAfter(Duration)} in milliseconds. */
    public Builder downAfterMillis(long millis) {
      return downAfter(Duration.ofMillis(millis));
    }

    /**
     * @see RedisGroup.Builder#failoverTimeout(Duration)
     */
    public Builder failoverTimeout(Duration failoverTimeout) {
      group.failoverTimeout(failoverTimeout);
      return this;
    }

    /** Same as {@link #failoverTimeout(Duration)} in milliseconds. */
    public Builder failoverTimeoutMillis(long millis) {
      return failoverTimeout(Duration.ofMillis(millis));
    }

    /**
     * @see RedisGroup.Builder#password(String)
     */
    public Builder password(String password) {
      group.password(password);
      return this;
    }

    /**
     * @see RedisGroup.Builder#config(String, String)
     */
    public Builder config(String key, String value) {
      group.config(key, value);
      return this;
    }

    /**
     * @see RedisGroup.Builder#startTimeout(Duration)
     */
    public Builder startTimeout(Duration startTimeout) {
      group.startTimeout(startTimeout);
      return this;
    }

    /** The extension; the group is built and started by the JUnit lifecycle. */
    public RedisGroupExtension build() {
      return new RedisGroupExtension(group);
    }
  }
}
