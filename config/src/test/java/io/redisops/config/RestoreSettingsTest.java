package io.redisops.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restore's keys of a dataset: config-file, start-command, stop-command. */
class RestoreSettingsTest {
  @TempDir Path dir;

  private Settings.DatasetSettings resolve(String redisLines) throws Exception {
    Path f =
        Files.writeString(
            dir.resolve("c.yaml"),
            "datasets:\n  - name: ds\n    redis:\n      uri: redis://127.0.0.1:7000\n"
                + redisLines);
    return Settings.resolve(ConfigLoader.load(f), Settings.Overrides.none(), Map.of())
        .dataset(null);
  }

  @Test
  void defaultsAreNull() throws Exception {
    Settings.DatasetSettings d = resolve("");
    assertThat(d.configFile()).isNull();
    assertThat(d.startCommand()).isNull();
    assertThat(d.stopCommand()).isNull();
  }

  @Test
  void commandsAndConfigFile() throws Exception {
    Settings.DatasetSettings d =
        resolve(
            "      config-file: /etc/redis/redis.conf\n"
                + "      start-command: [systemctl, start, redis-server]\n      stop-command: [systemctl, stop, redis-server]\n");
    assertThat(d.configFile()).isEqualTo("/etc/redis/redis.conf");
    assertThat(d.startCommand()).isEqualTo(List.of("systemctl", "start", "redis-server"));
    assertThat(d.stopCommand()).isEqualTo(List.of("systemctl", "stop", "redis-server"));
    assertThat(resolve("      stop-command: shutdown-nosave\n").stopCommand()).isNull();
  }

  @Test
  void badValuesNameTheKey() {
    for (String bad :
        List.of(
            "      stop-command: shutdown\n",
            "      start-command: []\n",
            "      config-file: redis.conf\n")) {
      assertThatThrownBy(() -> resolve(bad))
          .isInstanceOfSatisfying(
              RedisOpsException.class,
              e -> {
                assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                assertThat(e.getMessage()).startsWith("datasets[0].redis.");
              });
    }
  }
}
