package io.redisops.schedules.observe;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real HTTP endpoint on loopback that records each request and answers with a fixed status. */
final class WebhookReceiver implements AutoCloseable {
  /** One received request. */
  record Request(String method, String path, String contentType, String body) {}

  private final HttpServer server;
  private final BlockingQueue<Request> received = new LinkedBlockingQueue<>();

  WebhookReceiver(int status) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(
                new Request(
                    ex.getRequestMethod(),
                    ex.getRequestURI().getPath(),
                    ex.getRequestHeaders().getFirst("Content-Type"),
                    body));
            byte[] answer = (status >= 300 ? "hook says no" : "").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
              ex.getResponseBody().write(answer);
            }
          }
        });
    server.start();
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  /** The next request, waiting at most {@code timeout}. */
  Request next(Duration timeout) throws InterruptedException {
    Request r = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (r == null) {
      throw new AssertionError("no webhook request within " + timeout);
    }
    return r;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
