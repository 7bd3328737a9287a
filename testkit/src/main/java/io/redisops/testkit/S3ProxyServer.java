package io.redisops.testkit;

import java.net.URI;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * An S3 server inside the test JVM (S3Proxy) on 127.0.0.1, backed by an in-memory blob store,
 * usable with or without JUnit.
 *
 * <p>Contract: the first {@link #start()} binds a free port; {@link #stop()} closes the listener at
 * once (requests then fail to connect, like an outage); a later {@link #start()} listens on the
 * same port again and serves the same blob store, so everything stored before the stop is still
 * there. Requests are signed with AWS signature v4 using {@link #accessKey()} / {@link
 * #secretKey()}; unknown headers are ignored (the AWS SDK's multipart client sends some S3Proxy
 * does not know). Clients must use path-style addressing.
 */
public final class S3ProxyServer implements AutoCloseable {

  private static final String REGION = "us-east-1";

  private final String accessKey = "AK" + randomHex(9).toUpperCase(java.util.Locale.ROOT);
  private final String secretKey = randomHex(20);
  // created once and kept across stop/start: the contents must survive an "outage"
  private final BlobStore blobStore = new TransientNio2BlobStore();
  private S3Proxy proxy;
  private int port;

  /**
   * Starts listening (on a free port the first time, on the same port afterwards). @throws
   * IllegalStateException if running
   */
  public synchronized void start() {
    if (proxy != null) {
      throw new IllegalStateException("S3Proxy is already running on " + endpoint());
    }
    S3Proxy candidate =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(
                URI.create(
                    "http://"
                        + RedisProcess.HOST
                        + ":"
                        + port)) // port 0 the first time: any free one
            .awsAuthentication(AuthenticationType.AWS_V4, accessKey, secretKey)
            .ignoreUnknownHeaders(true)
            .stopTimeout(0) // no graceful drain: stop() simulates an outage
            .build();
    try {
      candidate.start();
    } catch (Exception e) {
      throw new IllegalStateException(
          "unable to start S3Proxy on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
    port = candidate.getPort();
    proxy = candidate;
  }

  /**
   * Stops listening; stored objects are kept for the next {@link #start()}. Does nothing if not
   * running.
   */
  public synchronized void stop() {
    if (proxy == null) {
      return;
    }
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException(
          "unable to stop S3Proxy on " + endpoint() + ": " + e.getMessage(), e);
    } finally {
      proxy = null;
    }
  }

  /** Stops the server. */
  @Override
  public void close() {
    stop();
  }

  /** Whether it is listening now. */
  public synchronized boolean isRunning() {
    return proxy != null;
  }

  /** {@code http://127.0.0.1:PORT}. @throws IllegalStateException before the first start */
  public synchronized URI endpoint() {
    if (port == 0) {
      throw new IllegalStateException("S3Proxy has not been started yet");
    }
    return URI.create("http://" + RedisProcess.HOST + ":" + port);
  }

  /** The port, fixed at the first start. */
  public synchronized int port() {
    endpoint();
    return port;
  }

  /** The access key id clients must sign with (random per instance). */
  public String accessKey() {
    return accessKey;
  }

  /** The secret access key clients must sign with (random per instance). */
  public String secretKey() {
    return secretKey;
  }

  /** Always {@code us-east-1}. */
  public String region() {
    return REGION;
  }

  /** Creates a bucket directly in the blob store (works while stopped too). */
  public void createBucket(String name) {
    blobStore.createContainer(name);
  }

  /** The blob store behind the server, for direct inspection or setup (works while stopped too). */
  public BlobStore blobStore() {
    return blobStore;
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    new SecureRandom().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
