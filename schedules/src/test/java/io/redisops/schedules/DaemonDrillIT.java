package io.redisops.schedules;

import static io.redisops.schedules.DaemonHttp.get;
import static io.redisops.schedules.DaemonHttp.read;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redisops.backup.catalog.BackupCatalog;
import io.redisops.backup.catalog.Manifest;
import io.redisops.backup.codec.Compression;
import io.redisops.backup.fixtures.TestBackupContext;
import io.redisops.backup.retention.RetentionPolicy;
import io.redisops.backup.service.BackupContext;
import io.redisops.config.DaemonSettings;
import io.redisops.config.ListenAddress;
import io.redisops.config.NotifySettings;
import io.redisops.config.ScheduleSettings;
import io.redisops.config.Settings;
import io.redisops.redis.RedisEndpoint;
import io.redisops.schedules.observe.HealthEvaluator;
import io.redisops.schedules.status.StatusRegistry;
import io.redisops.storage.LocalRepository;
import io.redisops.testkit.Await;
import io.redisops.testkit.FreePorts;
import io.redisops.testkit.RedisServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's scheduled restore drill: a good daily backup passes (its time on /metrics); once its
 * manifest promises more keys than the backup holds, the drill fails: /metrics counts it, /health
 * turns 503 and the hook hears {@code drill_failed}.
 */
class DaemonDrillIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path tmp;

  @Test
  void scheduledDrillUpdatesMetricsAndHealthAndNotifiesOnFailure() throws Exception {
    Path events = tmp.resolve("events.jsonl");
    Path hook = tmp.resolve("hook.sh");
    Files.writeString(hook, "#!/bin/sh\n{ cat; echo; } >> '" + events + "'\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
    int port = FreePorts.next();
    LocalRepository repo = new LocalRepository(tmp.resolve("repo"));
    BackupContext c = TestBackupContext.of(repo).redisTimeout(Duration.ofSeconds(5)).build();
    try (RedisServer redis = RedisServer.builder().start()) {
      for (int i = 0; i < 20; i++) {
        redis.sync().set("k" + i, "v");
      }
      Settings settings =
          new Settings(
              repo.root(),
              Compression.ZSTD,
              RetentionPolicy.defaults(),
              List.of(new Settings.DatasetSettings("d", RedisEndpoint.parse(redis.uri()))),
              new ScheduleSettings(
                  ScheduleSettings.DEFAULT_HOURLY,
                  ScheduleSettings.DEFAULT_DAILY,
                  ScheduleSettings.DEFAULT_OFFSITE,
                  Duration.ofSeconds(1),
                  Duration.ofSeconds(5),
                  "*/2 * * * * ?"),
              new DaemonSettings(
                  Optional.of(new ListenAddress("127.0.0.1", port)),
                  HealthEvaluator.DEFAULT_GRACE,
                  new NotifySettings(List.of(hook.toString()), null, Duration.ofSeconds(10))),
              Optional.empty());
      Daemon daemon = new Daemon(settings, c, new StatusRegistry());
      daemon.start(); // the empty repository makes it catch up with an hourly+daily backup now
      try {
        Await.until(
            WAIT,
            "a passing drill on /metrics",
            () ->
                get(port, "/metrics")
                    .body()
                    .matches(
                        "(?s).*redis_ops_drill_last_success_timestamp_seconds\\{dataset=\"d\"} [1-9].*"));
        assertThat(get(port, "/health").statusCode()).isEqualTo(200);

        BackupCatalog catalog = c.catalog("d");
        Manifest m = catalog.list().get(0);
        Path manifest = repo.root().resolve("d").resolve(m.id()).resolve("manifest.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode doc = (ObjectNode) json.readTree(manifest.toFile());
        ((ObjectNode) doc.get("keys")).put("0", 25);
        doc.put("total_keys", 25);
        Path edited = tmp.resolve("manifest.json");
        json.writeValue(edited.toFile(), doc);
        Files.move(
            edited, manifest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        Await.until(
            WAIT, "the drill_failed notification", () -> read(events).contains("drill_failed"));
        assertThat(read(events)).contains("\"dataset\":\"d\"").contains(m.id());
        HttpResponse<String> health = get(port, "/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("restore drill").contains(m.id());
        assertThat(get(port, "/metrics").body())
            .containsPattern("redis_ops_drill_failures_total\\{dataset=\"d\"} [1-9]")
            .contains("redis_ops_drill_last_ok{dataset=\"d\"} 0");
      } finally {
        daemon.stop(Duration.ofSeconds(10));
      }
    }
  }
}
