package io.redisops.schedules.observe;

import io.redisops.config.NotifySettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** POSTs the event JSON to a URL; any 2xx answer within the timeout is success. */
final class WebhookHook implements Hook {
  private final URI url;
  private final Duration timeout;
  private final HttpClient client;

  WebhookHook(URI url, Duration timeout) {
    this.url = url;
    this.timeout = timeout;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public String describe() {
    return "webhook " + NotifySettings.redacted(url);
  }

  @Override
  public void deliver(byte[] json) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(json))
            .build();
    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> response;
    try {
      // The request timeout covers only the wait for the headers; this bounds the body too.
      response = call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new IOException("no answer within " + io.redisops.text.Durations.format(timeout));
    } catch (InterruptedException e) {
      call.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String message = firstMessage(cause);
      if (cause instanceof java.net.ConnectException && message.isEmpty()) {
        message = " (connection refused or host unreachable)";
      }
      String prefix = cause instanceof java.net.ConnectException ? "unable to connect: " : "";
      throw new IOException(prefix + cause.getClass().getSimpleName() + message, cause);
    }
    int code = response.statusCode();
    if (code < 200 || code > 299) {
      String body = response.body() == null ? "" : response.body().strip();
      throw new IOException(
          "answered HTTP "
              + code
              + (body.isEmpty()
                  ? ""
                  : ": " + (body.length() > 200 ? body.substring(0, 200) + "..." : body)));
    }
  }

  /** The HTTP client often wraps the informative message ("Connection refused") in a cause. */
  private static String firstMessage(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        return ": " + c.getMessage();
      }
    }
    return "";
  }
}
