package io.redisops.schedules.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redisops.config.NotifySettings;
import io.redisops.schedules.status.StatusRegistry;
import io.redisops.schedules.status.TierStatus;
import io.redisops.testkit.Await;
import io.redisops.testkit.FreePorts;
import io.redisops.testkit.MutableClock;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real shell scripts and a real HTTP endpoint on loopback receive the events. */
class NotifierIT {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(T0);
  private final StatusRegistry status = new StatusRegistry();
  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private final List<Long> pids = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable c : cleanup) {
      c.close();
    }
    // Every process a test started ends here, also when the test failed before the notifier killed
    // it.
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private Path script(String name, String body) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p;
  }

  private Notifier notifier(NotifySettings settings) {
    Notifier n = new Notifier(settings, clock, "test-host");
    cleanup.add(n);
    status.addListener(n);
    return n;
  }

  private static List<String> lines(Path file) {
    try {
      return Files.exists(file)
          ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList()
          : List.of();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<JsonNode> awaitEvents(Path file, int count) throws IOException {
    Await.until(WAIT, count + " events in " + file, () -> lines(file).size() >= count);
    List<JsonNode> events = new ArrayList<>();
    for (String line : lines(file)) {
      events.add(JSON.readTree(line));
    }
    return events;
  }

  private void fail(String error) {
    status.update("cache", "hourly", t -> t.failed(clock.instant(), error));
  }

  private void succeed() {
    status.update(
        "cache",
        "hourly",
        t -> t.succeeded(clock.instant(), clock.instant(), Duration.ofSeconds(1), 10));
  }

  @Test
  void commandReceivesFailureOnceAnHourAndRecovery() throws Exception {
    Path out = dir.resolve("events.jsonl");
    // stdin (one JSON line) appended to the file given as argument: no shell parses the configured
    // argv.
    Path hook = script("hook.sh", "cat >> \"$1\"\necho >> \"$1\"\n");
    notifier(
        new NotifySettings(List.of(hook.toString(), out.toString()), null, Duration.ofSeconds(10)));
    status.register(TierStatus.initial("cache", "hourly", Duration.ofHours(1)));
    succeed();

    clock.advance(Duration.ofMinutes(60));
    fail("unable to connect to 127.0.0.1:7001: Connection refused");
    clock.advance(Duration.ofMinutes(10));
    fail("retry 1 failed"); // within the hour: no second event
    clock.advance(Duration.ofMinutes(50));
    fail("still down"); // an hour after the first event: reminded
    clock.advance(Duration.ofMinutes(5));
    succeed();

    List<JsonNode> events = awaitEvents(out, 3);
    assertEquals(3, events.size(), "the retry within the hour sent nothing: " + events);
    JsonNode failed = events.get(0);
    assertEquals("backup_failed", failed.get("event").asText());
    assertEquals("cache", failed.get("dataset").asText());
    assertEquals("hourly", failed.get("tier").asText());
    assertEquals("2026-11-22T11:00:00Z", failed.get("time").asText());
    assertEquals(
        "unable to connect to 127.0.0.1:7001: Connection refused", failed.get("error").asText());
    assertEquals(1, failed.get("consecutive_failures").asLong());
    assertEquals("test-host", failed.get("host").asText());
    assertEquals("backup_failed", events.get(1).get("event").asText());
    assertEquals("still down", events.get(1).get("error").asText());
    assertEquals(3, events.get(1).get("consecutive_failures").asLong());
    JsonNode recovered = events.get(2);
    assertEquals("backup_recovered", recovered.get("event").asText());
    assertEquals("2026-11-22T12:05:00Z", recovered.get("time").asText());
    assertTrue(recovered.get("error").isNull());
    assertEquals(3, recovered.get("consecutive_failures").asLong());
  }

  @Test
  void webhookReceivesJsonPost() throws Exception {
    WebhookReceiver receiver = new WebhookReceiver(204);
    cleanup.add(receiver);
    notifier(new NotifySettings(List.of(), receiver.url("/hooks/redis"), Duration.ofSeconds(10)));
    status.register(TierStatus.initial("cache", "hourly", Duration.ofHours(1)));

    fail("boom");
    WebhookReceiver.Request r = receiver.next(WAIT);
    assertEquals("POST", r.method());
    assertEquals("/hooks/redis", r.path());
    assertEquals("application/json", r.contentType());
    assertEquals(
        "{\"event\":\"backup_failed\",\"time\":\"2026-11-22T10:00:00Z\",\"host\":\"test-host\","
            + "\"dataset\":\"cache\",\"tier\":\"hourly\",\"error\":\"boom\",\"consecutive_failures\":1}",
        r.body());

    clock.advance(Duration.ofMinutes(1));
    succeed();
    assertEquals(
        "backup_recovered", JSON.readTree(receiver.next(WAIT).body()).get("event").asText());
  }

  @Test
  void genericEventsUseTheSameHooks() throws Exception {
    WebhookReceiver receiver = new WebhookReceiver(200);
    cleanup.add(receiver);
    Path out = dir.resolve("events.jsonl");
    Path hook = script("hook.sh", "cat >> \"$1\"\necho >> \"$1\"\n");
    Notifier n =
        notifier(
            new NotifySettings(
                List.of(hook.toString(), out.toString()),
                receiver.url("/"),
                Duration.ofSeconds(10)));
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("master", "mymaster");
    fields.put("old", "10.0.0.1:6379");
    fields.put("new", "10.0.0.2:6379");
    n.send(NotificationEvent.of("failover", T0, "test-host", fields));
    String expected =
        "{\"event\":\"failover\",\"time\":\"2026-11-22T10:00:00Z\",\"host\":\"test-host\","
            + "\"master\":\"mymaster\",\"old\":\"10.0.0.1:6379\",\"new\":\"10.0.0.2:6379\"}";
    assertEquals(expected, receiver.next(WAIT).body());
    assertEquals(JSON.readTree(expected), awaitEvents(out, 1).get(0));
  }

  @Test
  void hangingCommandIsKilledAtTheTimeoutWithoutHoldingUpTheDaemon() throws Exception {
    Path out = dir.resolve("events.jsonl");
    Path pidFile = dir.resolve("hook.pid");
    // Hangs on failures (its pid first, so the test can watch it), records recoveries.
    Path hook =
        script(
            "hook.sh",
            "event=$(cat)\n"
                + "case \"$event\" in *backup_failed*) echo $$ > \"$2.tmp\"; mv \"$2.tmp\" \"$2\"; exec sleep 600;; esac\n"
                + "echo \"$event\" >> \"$1\"\n");
    try (LogCapture log = new LogCapture(Notifier.class)) {
      notifier(
          new NotifySettings(
              List.of(hook.toString(), out.toString(), pidFile.toString()),
              null,
              // Counted from the hook's start: it must outlast the hook's start, its pid file and
              // the check below on a loaded machine.
              Duration.ofSeconds(6)));
      status.register(TierStatus.initial("cache", "hourly", Duration.ofHours(1)));

      fail("boom"); // returns although the hook will hang
      long pid =
          Await.value(
              WAIT,
              "pid of the hanging hook",
              () -> Files.exists(pidFile) ? Long.valueOf(lines(pidFile).get(0).trim()) : null);
      pids.add(pid);
      Optional<ProcessHandle> running = ProcessHandle.of(pid);
      // The job side goes on while the hook hangs: this update returns before the hook is killed.
      clock.advance(Duration.ofMinutes(1));
      succeed();
      assertTrue(
          running.isPresent() && running.get().isAlive(),
          "the hook still hangs after the job went on");

      Await.until(WAIT, "hanging hook killed", () -> !running.get().isAlive());
      List<JsonNode> events = awaitEvents(out, 1);
      assertEquals(
          "backup_recovered",
          events.get(0).get("event").asText(),
          "the queue moved on after the kill");
      Await.until(WAIT, "WARN about the timeout", () -> !log.messages(Level.WARN).isEmpty());
      String warn = log.messages(Level.WARN).get(0);
      assertTrue(
          warn.startsWith(
              "notification backup_failed (cache/hourly) via command "
                  + hook
                  + " failed: "
                  + "timed out after 6s; killed (pid "
                  + pid
                  + ")"),
          warn);
    }
  }

  @Test
  void failingHooksOnlyLogAndNeverLeakTheWebhookPath() throws Exception {
    WebhookReceiver receiver = new WebhookReceiver(500);
    cleanup.add(receiver);
    Path hook =
        script(
            "hook.sh",
            "cat > /dev/null\necho 'some output'\necho 'mail server unreachable' >&2\nexit 3\n");
    try (LogCapture log = new LogCapture(Notifier.class)) {
      notifier(
          new NotifySettings(
              List.of(hook.toString()),
              receiver.url("/hooks/SECRET-TOKEN"),
              Duration.ofSeconds(10)));
      status.register(TierStatus.initial("cache", "hourly", Duration.ofHours(1)));
      fail("boom"); // must not throw although both hooks fail
      receiver.next(WAIT);
      Await.until(WAIT, "two WARN lines", () -> log.messages(Level.WARN).size() >= 2);
      List<String> warns = log.messages(Level.WARN);
      assertEquals(
          "notification backup_failed (cache/hourly) via command "
              + hook
              + " failed: exit status 3: mail server unreachable",
          warns.get(0));
      assertEquals(
          "notification backup_failed (cache/hourly) via webhook http://127.0.0.1:"
              + receiver.url("/").getPort()
              + "/... failed: answered HTTP 500: hook says no",
          warns.get(1));
      assertFalse(String.join("\n", warns).contains("SECRET-TOKEN"));
    }
  }

  @Test
  void refusedConnectionAndMissingProgramOnlyLog() throws Exception {
    int closedPort;
    closedPort = FreePorts.next();
    try (LogCapture log = new LogCapture(Notifier.class)) {
      Notifier n =
          notifier(
              new NotifySettings(
                  List.of(dir.resolve("no-such-program").toString()),
                  URI.create("http://127.0.0.1:" + closedPort + "/hook"),
                  Duration.ofSeconds(5)));
      n.send(NotificationEvent.of("test", T0, "test-host", Map.of()));
      Await.until(WAIT, "two WARN lines", () -> log.messages(Level.WARN).size() >= 2);
      List<String> warns = log.messages(Level.WARN);
      assertTrue(
          warns
              .get(0)
              .startsWith(
                  "notification test via command "
                      + dir.resolve("no-such-program")
                      + " failed: Cannot run program"),
          warns.get(0));
      assertTrue(
          warns
              .get(1)
              .startsWith(
                  "notification test via webhook http://127.0.0.1:"
                      + closedPort
                      + "/... failed: unable to connect: ConnectException"),
          warns.get(1));
    }
  }

  @Test
  void noHookConfiguredSendsNothing() {
    Notifier n = notifier(NotifySettings.none());
    assertFalse(n.enabled());
    status.register(TierStatus.initial("cache", "hourly", Duration.ofHours(1)));
    fail("boom"); // nothing to run, nothing thrown
    assertEquals(1, status.tier("cache", "hourly").consecutiveFailures());
  }
}
