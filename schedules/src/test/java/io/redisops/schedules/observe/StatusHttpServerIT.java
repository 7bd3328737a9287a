package io.redisops.schedules.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.schedules.status.DatasetStatus;
import io.redisops.schedules.status.StatusRegistry;
import io.redisops.schedules.status.TierStatus;
import io.redisops.testkit.MutableClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real JDK HTTP server on a free loopback port, asked by a real HTTP client. */
class StatusHttpServerIT {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StatusRegistry status = new StatusRegistry();
  private final MutableClock clock = new MutableClock(T0);
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private StatusHttpServer server;
  private URI base;

  @BeforeEach
  void start() {
    status.register(TierStatus.initial("cache", "hourly", Duration.ofHours(1)));
    status.update("cache", "hourly", t -> t.succeeded(T0, T0, Duration.ofSeconds(2), 2048));
    server =
        new StatusHttpServer(
            new DaemonMetrics(status), new HealthEvaluator(clock, Duration.ofMinutes(10)), status);
    InetSocketAddress bound =
        server.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    base = URI.create("http://127.0.0.1:" + bound.getPort());
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private HttpResponse<String> call(String method, String path)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metricsInPrometheusTextFormat() throws Exception {
    status.updateDataset(new DatasetStatus("cache", 5, 10_240));
    HttpResponse<String> r = call("GET", "/metrics");
    assertEquals(200, r.statusCode());
    assertEquals(
        "text/plain; version=0.0.4; charset=utf-8",
        r.headers().firstValue("Content-Type").orElse(null));
    Map<String, Double> s = PrometheusText.samples(r.body());
    assertEquals(
        2048.0, s.get("redis_ops_backup_last_size_bytes{dataset=\"cache\",tier=\"hourly\"}"));
    assertEquals(5.0, s.get("redis_ops_repository_backups{dataset=\"cache\"}"));
    assertEquals(1.0, s.get("redis_ops_up"));
  }

  @Test
  void healthTurns503OnFailureAnd200AfterSuccess() throws Exception {
    HttpResponse<String> ok = call("GET", "/health");
    assertEquals(200, ok.statusCode());
    assertEquals("application/json", ok.headers().firstValue("Content-Type").orElse(null));
    assertEquals("ok", JSON.readTree(ok.body()).get("status").asText());

    clock.advance(Duration.ofMinutes(60));
    status.update(
        "cache", "hourly", t -> t.failed(clock.instant(), "unable to connect to 127.0.0.1:7001"));
    HttpResponse<String> failed = call("GET", "/health");
    assertEquals(503, failed.statusCode());
    JsonNode body = JSON.readTree(failed.body());
    assertEquals("unhealthy", body.get("status").asText());
    assertEquals(1, body.get("reasons").size());
    assertEquals("hourly", body.get("reasons").get(0).get("tier").asText());
    assertEquals(
        "dataset cache tier hourly: last attempt failed at 2026-11-22T11:00:00Z: unable to connect to "
            + "127.0.0.1:7001 (1 consecutive failure)",
        body.get("reasons").get(0).get("reason").asText());

    clock.advance(Duration.ofMinutes(5));
    status.update(
        "cache",
        "hourly",
        t -> t.succeeded(clock.instant(), clock.instant(), Duration.ofSeconds(1), 1));
    assertEquals(200, call("GET", "/health").statusCode());

    clock.advance(Duration.ofMinutes(71));
    HttpResponse<String> stale = call("GET", "/health");
    assertEquals(503, stale.statusCode());
    assertTrue(
        stale.body().contains("no successful backup for 1h11m (period 1h + grace 10m)"),
        stale.body());
  }

  @Test
  void unknownPathIs404AndOtherMethodsAre405() throws Exception {
    assertEquals(404, call("GET", "/").statusCode());
    assertEquals(404, call("GET", "/metricsx").statusCode());
    assertEquals(404, call("POST", "/nothing").statusCode());
    HttpResponse<String> post = call("POST", "/metrics");
    assertEquals(405, post.statusCode());
    assertEquals("GET", post.headers().firstValue("Allow").orElse(null));
    assertEquals(405, call("DELETE", "/health").statusCode());
    assertEquals(405, call("HEAD", "/health").statusCode());
  }

  @Test
  void portInUseIsRefusedWithAClearMessage() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      StatusHttpServer second =
          new StatusHttpServer(
              new DaemonMetrics(status), new HealthEvaluator(clock, Duration.ZERO), status);
      RedisOpsException e =
          assertThrows(
              RedisOpsException.class,
              () ->
                  second.start(
                      new InetSocketAddress(
                          InetAddress.getLoopbackAddress(), taken.getLocalPort())));
      assertEquals(ExitCode.FAILED, e.exitCode());
      assertTrue(
          e.getMessage()
              .startsWith(
                  "http.listen: unable to listen on 127.0.0.1:" + taken.getLocalPort() + ": "),
          e.getMessage());
      assertTrue(e.getMessage().contains("http.listen: off"), e.getMessage());
    }
  }

  @Test
  void stopReleasesThePort() throws Exception {
    int port = URI.create(base.toString()).getPort();
    server.stop();
    StatusHttpServer again =
        new StatusHttpServer(
            new DaemonMetrics(status), new HealthEvaluator(clock, Duration.ZERO), status);
    try {
      again.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      assertEquals(200, call("GET", "/metrics").statusCode());
    } finally {
      again.stop();
    }
  }
}
