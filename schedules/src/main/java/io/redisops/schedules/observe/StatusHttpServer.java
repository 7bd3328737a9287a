package io.redisops.schedules.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.redisops.error.RedisOpsException;
import io.redisops.schedules.status.StatusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP endpoints: {@code GET /metrics} (Prometheus text format 0.0.4) and {@code GET
 * /health} (200 or 503 with a JSON body, see {@link Health#toJson()}); 404 for other paths, 405 for
 * other methods. Built on the JDK's HTTP server: two read-only endpoints do not justify a web
 * framework. Requests are served one at a time on a single daemon thread; a scrape is cheap.
 */
public final class StatusHttpServer implements AutoCloseable {
  static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Logger LOG = LoggerFactory.getLogger(StatusHttpServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DaemonMetrics metrics;
  private final HealthEvaluator health;
  private final StatusRegistry status;
  private HttpServer server;
  private ExecutorService executor;

  public StatusHttpServer(DaemonMetrics metrics, HealthEvaluator health, StatusRegistry status) {
    this.metrics = metrics;
    this.health = health;
    this.status = status;
  }

  /**
   * Starts listening.
   *
   * @return the bound address (its port is the real one when {@code address} asked for port 0)
   * @throws RedisOpsException FAILED when the address cannot be bound (port in use, address not
   *     local)
   * @throws IllegalStateException when already started
   */
  public synchronized InetSocketAddress start(InetSocketAddress address) {
    if (server != null) {
      throw new IllegalStateException("already listening on " + server.getAddress());
    }
    HttpServer s;
    try {
      s = HttpServer.create(address, 0);
    } catch (BindException e) {
      throw RedisOpsException.failed(
          "http.listen: unable to listen on "
              + text(address)
              + ": "
              + e.getMessage()
              + "; is another daemon running? Choose another address or set http.listen: off",
          e);
    } catch (IOException e) {
      throw RedisOpsException.failed(
          "http.listen: unable to listen on " + text(address) + ": " + e, e);
    }
    s.createContext("/", this::handle);
    executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "redis-ops-http");
              t.setDaemon(true);
              return t;
            });
    s.setExecutor(executor);
    s.start();
    server = s;
    LOG.info("serving /metrics and /health on http://{}", text(s.getAddress()));
    return s.getAddress();
  }

  /** Stops listening; requests in progress are cut. Does nothing when not started. */
  public synchronized void stop() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
      executor = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      boolean known = path.equals("/metrics") || path.equals("/health");
      if (!known) {
        send(ex, 404, "text/plain; charset=utf-8", "not found; try /metrics or /health\n");
      } else if (!ex.getRequestMethod().equals("GET")) {
        ex.getResponseHeaders().set("Allow", "GET");
        send(ex, 405, "text/plain; charset=utf-8", "method not allowed; use GET\n");
      } else if (path.equals("/metrics")) {
        send(ex, 200, METRICS_CONTENT_TYPE, metrics.scrape());
      } else {
        Health h =
            health.evaluate(
                status.tiers(), status.drills(), status.sentinelChecks(), status.archives());
        send(
            ex,
            h.healthy() ? 200 : 503,
            "application/json",
            JSON.writeValueAsString(h.toJson()) + "\n");
      }
    } catch (RuntimeException e) {
      // The JDK server would drop the connection silently; say what went wrong instead.
      LOG.warn(
          "http {} {} failed: {}",
          ex.getRequestMethod(),
          ex.getRequestURI().getPath(),
          e.toString());
      throw e;
    }
  }

  private static void send(HttpExchange ex, int code, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(code, -1); // a HEAD answer carries no body
      return;
    }
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String text(InetSocketAddress a) {
    String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
