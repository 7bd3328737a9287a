package io.redisops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class NotifySettingsTest {

  @Test
  void absentSectionMeansNoHooksAndTenSeconds() {
    NotifySettings s = NotifySettings.from(null);
    assertFalse(s.enabled());
    assertEquals(Duration.ofSeconds(10), s.timeout());
    assertEquals(
        Duration.ofSeconds(10), NotifySettings.from(new Config.Notify(null, null, null)).timeout());
  }

  @Test
  void commandWebhookAndTimeout() {
    NotifySettings s =
        NotifySettings.from(
            new Config.Notify(
                List.of("/usr/local/bin/notify.sh", "--to", "ops"),
                "https://hooks.example.com/T000/secret",
                "30s"));
    assertTrue(s.enabled());
    assertEquals(List.of("/usr/local/bin/notify.sh", "--to", "ops"), s.command());
    assertEquals(URI.create("https://hooks.example.com/T000/secret"), s.webhook());
    assertEquals(Duration.ofSeconds(30), s.timeout());
    assertEquals("https://hooks.example.com/...", NotifySettings.redacted(s.webhook()));
    assertNull(NotifySettings.from(new Config.Notify(List.of("x"), null, null)).webhook());
  }

  private static void refused(Config.Notify n, String key) {
    RedisOpsException e = assertThrows(RedisOpsException.class, () -> NotifySettings.from(n));
    assertEquals(ExitCode.USAGE, e.exitCode());
    assertTrue(e.getMessage().startsWith(key + ": "), e.getMessage());
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    refused(new Config.Notify(List.of(), null, null), "notify.command");
    refused(new Config.Notify(List.of(""), null, null), "notify.command");
    refused(new Config.Notify(Arrays.asList("/bin/x", null), null, null), "notify.command");
    refused(new Config.Notify(null, "hooks.example.com/x", null), "notify.webhook");
    refused(new Config.Notify(null, "ftp://hooks.example.com/x", null), "notify.webhook");
    refused(new Config.Notify(null, "http://[bad", null), "notify.webhook");
    refused(new Config.Notify(null, null, "10"), "notify.timeout");
    refused(new Config.Notify(null, null, "0s"), "notify.timeout");
  }

  @Test
  void badWebhookMessageDoesNotRepeatTheUrl() {
    RedisOpsException e =
        assertThrows(
            RedisOpsException.class,
            () -> NotifySettings.from(new Config.Notify(null, "ftp://h/SECRET-TOKEN", null)));
    assertFalse(e.getMessage().contains("SECRET-TOKEN"), e.getMessage());
  }
}
