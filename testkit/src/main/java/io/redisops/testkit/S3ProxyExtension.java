package io.redisops.testkit;

import java.io.PrintStream;
import java.net.URI;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * JUnit 5 extension around one {@link S3ProxyServer}: an in-memory S3 server inside the test JVM.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final S3ProxyExtension s3 = new S3ProxyExtension();
 * }</pre>
 *
 * <p>Static field: started in {@code beforeAll}, stopped in {@code afterAll}; instance field: per
 * test. {@link #stop()} and {@link #start()} simulate an outage and its end; the contents survive.
 */
public final class S3ProxyExtension extends LifecycleExtension {

  private final S3ProxyServer server = new S3ProxyServer();

  /** An extension with a fresh, empty blob store and random credentials. */
  public S3ProxyExtension() {}

  /** The wrapped server. */
  public S3ProxyServer server() {
    return server;
  }

  /**
   * @see S3ProxyServer#endpoint()
   */
  public URI endpoint() {
    return server.endpoint();
  }

  /**
   * @see S3ProxyServer#accessKey()
   */
  public String accessKey() {
    return server.accessKey();
  }

  /**
   * @see S3ProxyServer#secretKey()
   */
  public String secretKey() {
    return server.secretKey();
  }

  /**
   * @see S3ProxyServer#region()
   */
  public String region() {
    return server.region();
  }

  /**
   * @see S3ProxyServer#createBucket(String)
   */
  public void createBucket(String name) {
    server.createBucket(name);
  }

  /**
   * @see S3ProxyServer#blobStore()
   */
  public BlobStore blobStore() {
    return server.blobStore();
  }

  /**
   * @see S3ProxyServer#start()
   */
  public void start() {
    server.start();
  }

  /**
   * @see S3ProxyServer#stop()
   */
  public void stop() {
    server.stop();
  }

  /**
   * @see S3ProxyServer#isRunning()
   */
  public boolean isRunning() {
    return server.isRunning();
  }

  @Override
  void startResource() {
    server.start();
  }

  @Override
  void stopResource() {
    server.stop();
  }

  @Override
  void printDiagnostics(PrintStream out) {
    out.println(
        "--- S3Proxy "
            + (server.isRunning() ? "running on " + server.endpoint() : "not running")
            + " ---");
  }
}
