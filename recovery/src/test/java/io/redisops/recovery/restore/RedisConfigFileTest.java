package io.redisops.recovery.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.recovery.kernel.ServiceManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisConfigFileTest {
  @TempDir Path tmp;

  @Test
  void changesTheLastDirectiveLineAloneAndBackGivesTheSameBytes() throws Exception {
    Path f = tmp.resolve("redis.conf");
    String original =
        "# comment appendonly yes\nport 1234\nAPPENDONLY no\nsave 900 1\n  appendonly   yes\ndir \"/a b\"\n";
    Files.writeString(f, original);
    RedisConfigFile c = new RedisConfigFile(f);
    assertThat(c.get("appendonly")).contains("yes");
    assertThat(c.get("dir")).contains("/a b");
    c.set("appendonly", "no");
    assertThat(Files.readString(f))
        .isEqualTo(original.replace("  appendonly   yes", "  appendonly no"));
    c.set("appendonly", "yes");
    assertThat(Files.readString(f))
        .isEqualTo(original.replace("  appendonly   yes", "  appendonly yes"));
  }

  @Test
  void appendsWhenAbsent() throws Exception {
    Path f = tmp.resolve("redis.conf");
    Files.writeString(f, "port 1\n");
    new RedisConfigFile(f).set("appendonly", "no");
    assertThat(Files.readString(f)).isEqualTo("port 1\nappendonly no\n");
    assertThat(new RedisConfigFile(f).get("save")).isEqualTo(Optional.empty());
  }

  @Test
  void serviceManagerDetection() {
    assertThat(ServiceManager.detect(Map.of("process_supervised", "systemd"), null, null))
        .get()
        .asString()
        .startsWith("systemd");
    assertThat(
            ServiceManager.detect(
                Map.of("process_supervised", "no"),
                "0::/system.slice/redis-server.service",
                "0::/user.slice/user-1000.slice/session-3.scope"))
        .get()
        .asString()
        .contains("redis-server.service");
    assertThat(ServiceManager.detect(Map.of("process_supervised", "no"), "0::/", "0::/")).isEmpty();
    assertThat(
            ServiceManager.detect(
                Map.of("process_supervised", "no"),
                "0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope",
                "0::/other"))
        .isEmpty();
  }

  @Test
  void rdbVersionsByRedisVersion() {
    assertThat(RdbCompatibility.maxLoadable("7.0.15")).isEqualTo(10);
    assertThat(RdbCompatibility.maxLoadable("7.2.4")).isEqualTo(11);
    assertThat(RdbCompatibility.maxLoadable("6.2.14")).isEqualTo(9);
    assertThat(RdbCompatibility.maxLoadable("8.0.0")).isEqualTo(12);
  }
}
