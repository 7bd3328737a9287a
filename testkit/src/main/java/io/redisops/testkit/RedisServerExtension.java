package io.redisops.testkit;

import io.lettuce.core.api.sync.RedisCommands;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * JUnit 5 extension around one {@link RedisServer}.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisServerExtension redis = RedisServerExtension.builder().config("appendonly", "yes").build();
 * }</pre>
 *
 * <p>On a static field the server starts in {@code beforeAll} and stops after all tests; on an
 * instance field it starts before and stops after each test. It is stopped by PID (and its
 * temporary folder deleted) also when tests fail; a failing test gets the last 40 lines of the
 * Redis log on {@code System.err}. A test that stops or kills the server must start it again itself
 * if later tests need it.
 */
public final class RedisServerExtension extends LifecycleExtension {

  private final RedisServer server;

  private RedisServerExtension(RedisServer server) {
    this.server = server;
  }

  /** A builder with the same settings and defaults as {@link RedisServer#builder()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The wrapped server (built at once, started by the lifecycle callbacks). */
  public RedisServer server() {
    return server;
  }

  /**
   * @see RedisServer#sync()
   */
  public RedisCommands<String, String> sync() {
    return server.sync();
  }

  /**
   * @see RedisProcess#host()
   */
  public String host() {
    return server.host();
  }

  /**
   * @see RedisProcess#port()
   */
  public int port() {
    return server.port();
  }

  /**
   * @see RedisProcess#pid()
   */
  public long pid() {
    return server.pid();
  }

  /**
   * @see RedisProcess#dir()
   */
  public Path dir() {
    return server.dir();
  }

  /**
   * @see RedisProcess#configFile()
   */
  public Path configFile() {
    return server.configFile();
  }

  /**
   * @see RedisProcess#logFile()
   */
  public Path logFile() {
    return server.logFile();
  }

  /**
   * @see RedisProcess#uri()
   */
  public String uri() {
    return server.uri();
  }

  /**
   * @see RedisProcess#uriWithCredentials()
   */
  public String uriWithCredentials() {
    return server.uriWithCredentials();
  }

  /**
   * @see RedisProcess#password()
   */
  public String password() {
    return server.password();
  }

  /**
   * @see RedisProcess#username()
   */
  public String username() {
    return server.username();
  }

  /**
   * @see RedisServer#info(String, String)
   */
  public String info(String section, String field) {
    return server.info(section, field);
  }

  /**
   * @see RedisProcess#start()
   */
  public void start() {
    server.start();
  }

  /**
   * @see RedisProcess#stop()
   */
  public void stop() {
    server.stop();
  }

  /**
   * @see RedisProcess#kill9()
   */
  public void kill9() {
    server.kill9();
  }

  /**
   * @see RedisProcess#isAlive()
   */
  public boolean isAlive() {
    return server.isAlive();
  }

  /**
   * @see RedisProcess#logTail(int)
   */
  public String logTail(int lines) {
    return server.logTail(lines);
  }

  @Override
  void startResource() {
    server.start();
  }

  @Override
  void stopResource() {
    server.close();
  }

  @Override
  void printDiagnostics(PrintStream out) {
    printTail(out, server);
  }

  /** Collects the server's settings; see {@link RedisServer.Builder} for each method's contract. */
  public static final class Builder {

    private final RedisServer.Builder server = RedisServer.builder();

    private Builder() {}

    /**
     * @see RedisServer.Builder#server(ServerBuild)
     */
    public Builder server(ServerBuild build) {
      server.server(build);
      return this;
    }

    /**
     * @see RedisServer.Builder#dir(Path)
     */
    public Builder dir(Path dir) {
      server.dir(dir);
      return this;
    }

    /**
     * @see RedisServer.Builder#config(String, String)
     */
    public Builder config(String key, String value) {
      server.config(key, value);
      return this;
    }

    /**
     * @see RedisServer.Builder#password(String)
     */
    public Builder password(String password) {
      server.password(password);
      return this;
    }

    /**
     * @see RedisServer.Builder#aclUser(String, String, String...)
     */
    public Builder aclUser(String name, String secret, String... rules) {
      server.aclUser(name, secret, rules);
      return this;
    }

    /**
     * @see RedisServer.Builder#replicaOf(String, int)
     */
    public Builder replicaOf(String host, int port) {
      server.replicaOf(host, port);
      return this;
    }

    /**
     * @see RedisServer.Builder#masterAuth(String, String)
     */
    public Builder masterAuth(String user, String password) {
      server.masterAuth(user, password);
      return this;
    }

    /**
     * @see RedisServer.Builder#startTimeout(Duration)
     */
    public Builder startTimeout(Duration timeout) {
      server.startTimeout(timeout);
      return this;
    }

    /**
     * @see RedisServer.Builder#stopTimeout(Duration)
     */
    public Builder stopTimeout(Duration timeout) {
      server.stopTimeout(timeout);
      return this;
    }

    /** The extension; its server is built now and started by the JUnit lifecycle. */
    public RedisServerExtension build() {
      return new RedisServerExtension(server.build());
    }
  }
}
