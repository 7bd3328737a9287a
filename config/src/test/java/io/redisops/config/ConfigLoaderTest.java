package io.redisops.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path dir;

  private Path yaml(String text) throws IOException {
    return Files.writeString(dir.resolve("redis-ops.yaml"), text);
  }

  private RedisOpsException refused(String text) throws IOException {
    Path file = yaml(text);
    RedisOpsException e =
        catchThrowableOfType(RedisOpsException.class, () -> ConfigLoader.load(file));
    assertThat(e).as("load should refuse:%n%s", text).isNotNull();
    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(e.getMessage()).contains(file.toString());
    return e;
  }

  @Test
  void readsAFullFile() throws IOException {
    Config c =
        ConfigLoader.load(
            yaml(
                """
        datasets:
          - name: cache
            redis:
              uri: redis://10.0.0.5:6380
              password-file: /etc/redis-ops/cache.pass
              tls-ca-file: /etc/redis-ops/ca.pem
        repository:
          path: /srv/backups
          compression: gzip
        retention:
          hourly: 24h
          daily: 14d
          offsite-hourly: 12h
          offsite-daily: 60d
        """));

    assertThat(c.datasets())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.name()).isEqualTo("cache");
              assertThat(d.redis().uri()).isEqualTo("redis://10.0.0.5:6380");
              assertThat(d.redis().passwordFile()).isEqualTo("/etc/redis-ops/cache.pass");
              assertThat(d.redis().tlsCaFile()).isEqualTo("/etc/redis-ops/ca.pem");
            });
    assertThat(c.repository()).isEqualTo(new Config.Repository("/srv/backups", "gzip", null));
    assertThat(c.retention()).isEqualTo(new Config.Retention("24h", "14d", "12h", "60d"));
  }

  @Test
  void emptyFileIsTheEmptyConfig() throws IOException {
    assertThat(ConfigLoader.load(yaml(""))).isEqualTo(Config.empty());
    assertThat(ConfigLoader.load(yaml("  \n\n"))).isEqualTo(Config.empty());
    assertThat(ConfigLoader.load(yaml("---\n"))).isEqualTo(Config.empty());
  }

  @Test
  void aFileOfCommentsOnlyIsTheEmptyConfig() throws IOException {
    assertThat(
            ConfigLoader.load(
                yaml(
                    """
        # redis-ops configuration: every key is optional
        # repository:
        #   path: /var/lib/redis-ops/backups
        """)))
        .isEqualTo(Config.empty());
  }

  @Test
  void unknownNestedKeyIsRefusedNamingItsPath() throws IOException {
    RedisOpsException e = refused("repository:\n  pth: /srv\n");
    assertThat(e.getMessage()).contains("unknown key 'repository.pth'").contains("path");
  }

  @Test
  void unknownTopLevelKeyIsRefused() throws IOException {
    assertThat(refused("foo: 1\n").getMessage()).contains("unknown key 'foo'");
  }

  @Test
  void aFileThatIsNotAConfigurationHasNoLineOfItPrinted() throws IOException {
    // /etc/shadow, or an htpasswd file, given to -c by mistake: its lines parse as keys
    RedisOpsException e = refused("root:$6$salt$hashedSecret:20228:0:99999:7:::\n");
    assertThat(e.getMessage())
        .doesNotContain("hashedSecret")
        .contains("unknown key (not shown")
        .contains("is this the configuration file?");
  }

  @Test
  void unknownKeyInsideADatasetNamesItsIndex() throws IOException {
    RedisOpsException e =
        refused(
            """
        datasets:
          - name: a
          - name: b
            redis:
              url: redis://h:1
        """);
    assertThat(e.getMessage()).contains("'datasets[1].redis.url'");
  }

  @Test
  void sentinelSectionIsRead() throws IOException {
    Config c =
        ConfigLoader.load(
            yaml(
                "datasets:\n  - sentinel:\n      master: mymaster\n      nodes: [\"a:26379\", b]\n"
                    + "      password-file: /etc/redis-ops/sentinel.pass\n      user: watcher\n      backup-from: master\n"));
    Config.Sentinel s = c.datasets().get(0).sentinel();
    assertThat(s.master()).isEqualTo("mymaster");
    assertThat(s.nodes()).containsExactly("a:26379", "b");
    assertThat(s.passwordFile()).isEqualTo("/etc/redis-ops/sentinel.pass");
    assertThat(s.user()).isEqualTo("watcher");
    assertThat(s.backupFrom()).isEqualTo("master");
  }

  @Test
  void unknownSentinelKeyNamesIt() throws IOException {
    assertThat(refused("datasets:\n  - sentinel:\n      masters: x\n").getMessage())
        .contains("'datasets[0].sentinel.masters'");
  }

  @Test
  void valueOfTheWrongShapeNamesTheKey() throws IOException {
    assertThat(refused("datasets: cache\n").getMessage()).contains("bad value for key 'datasets'");
    assertThat(refused("repository:\n  path: [a, b]\n").getMessage())
        .contains("bad value for key 'repository.path'");
  }

  @Test
  void badYamlSyntaxGivesTheLine() throws IOException {
    RedisOpsException e = refused("repository:\n  path: /srv\n  compression: \"zstd\n");
    assertThat(e.getMessage())
        .containsPattern("not valid YAML at line \\d+")
        .doesNotContain("bad value");

    e = refused("repository:\n  path: /srv\n compression: zstd\n");
    assertThat(e.getMessage()).contains("not valid YAML at line 3");
  }

  @Test
  void missingFileIsRefusedNamingIt() {
    Path missing = dir.resolve("nope.yaml");
    RedisOpsException e =
        catchThrowableOfType(RedisOpsException.class, () -> ConfigLoader.load(missing));
    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(e.getMessage()).contains(missing.toString()).contains("does not exist");
  }

  @org.junit.jupiter.api.Test
  void aListOrAValueAsTheWholeConfigurationIsNamedWithoutJavaTypes() throws IOException {
    for (String text : new String[] {"- name: cache\n- name: other\n", "just a string\n"}) {
      String m = refused(text).getMessage();
      assertThat(m)
          .contains("must be a mapping of keys")
          .doesNotContain("io.redisops")
          .doesNotContain("JsonToken")
          .doesNotContain("deserialize");
    }
    assertThat(refused("repository:\n  path: [a, b]\n").getMessage())
        .contains("repository.path")
        .contains("expected a text, found a list")
        .doesNotContain("java.");
  }
}
