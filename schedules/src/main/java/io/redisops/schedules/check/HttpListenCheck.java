package io.redisops.schedules.check;

import io.redisops.config.ListenAddress;
import io.redisops.sentinel.CheckResult;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;

/**
 * {@code http-listen}: the daemon's {@code http.listen} address is free, or already held by a
 * redis-ops daemon (its {@code /health} answers with the daemon's JSON). Anything else holding it
 * would stop the daemon at start.
 */
final class HttpListenCheck implements SetupCheck {
  @Override
  public List<CheckResult> run(CheckTarget t) {
    Optional<ListenAddress> listen = t.settings().daemon().listen();
    if (listen.isEmpty()) {
      return List.of(CheckResult.pass("http-listen", "http.listen is off: no /metrics, /health"));
    }
    ListenAddress a = listen.get();
    try (ServerSocket s = new ServerSocket()) {
      s.bind(a.socketAddress());
      return List.of(CheckResult.pass("http-listen", a + " is free for the daemon"));
    } catch (BindException e) {
      String health = health(a, t);
      if (health != null) {
        return List.of(
            CheckResult.pass(
                "http-listen", a + " is held by a redis-ops daemon (/health: " + health + ")"));
      }
      return List.of(
          CheckResult.fail(
              "http-listen",
              a
                  + " is in use by another program ("
                  + e.getMessage()
                  + "), so the daemon would not start; stop it or choose another http.listen"));
    } catch (IOException e) {
      return List.of(
          CheckResult.fail(
              "http-listen",
              "cannot listen on " + a + " (" + e.getMessage() + "); correct http.listen"));
    }
  }

  /** The {@code status} of a redis-ops daemon's {@code /health} at {@code a}, else null. */
  private static String health(ListenAddress a, CheckTarget t) {
    InetSocketAddress sa = a.socketAddress();
    InetAddress host =
        sa.getAddress() == null || sa.getAddress().isAnyLocalAddress()
            ? InetAddress.getLoopbackAddress()
            : sa.getAddress();
    String h = host.getHostAddress();
    URI uri =
        URI.create(
            "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + sa.getPort() + "/health");
    // a daemon answers at once; a program that accepts and says nothing must not hold check up
    java.time.Duration wait =
        t.timeout().compareTo(java.time.Duration.ofSeconds(2)) < 0
            ? t.timeout()
            : java.time.Duration.ofSeconds(2);
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(wait).build();
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(uri).timeout(wait).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      String body = r.body();
      if ((r.statusCode() == 200 || r.statusCode() == 503)
          && body.contains("\"status\"")
          && body.contains("\"checked_at\"")) {
        return r.statusCode() == 200 ? "ok" : "unhealthy";
      }
      return null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
