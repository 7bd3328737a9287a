package io.redisops.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InfoParserTest {

  private static final String INFO =
      "# Server\r\n"
          + "redis_version:7.0.15\r\n"
          + "run_id:4f3c2e1d0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d\r\n"
          + "config_file:/etc/redis/redis.conf\r\n"
          + "\r\n"
          + "# Replication\r\n"
          + "role:master\r\n"
          + "slave0:ip=10.0.0.2,port=6379,state=online,offset=1234,lag=0\r\n"
          + "master_replid:8a9b\r\n"
          + "\r\n"
          + "# Keyspace\r\n"
          + "db0:keys=10,expires=2,avg_ttl=0\r\n"
          + "db3:keys=1,expires=0,avg_ttl=0\r\n";

  @Test
  void parsesKeyValueLinesSkippingHeadersAndBlanks() {
    Map<String, String> m = InfoParser.parse(INFO);
    assertThat(m)
        .containsEntry("redis_version", "7.0.15")
        .containsEntry("role", "master")
        .containsEntry("master_replid", "8a9b")
        .containsEntry("db0", "keys=10,expires=2,avg_ttl=0")
        .doesNotContainKey("# Server")
        .doesNotContainKey("");
    assertThat(m).hasSize(8);
    assertThat(m.keySet()).first().isEqualTo("redis_version");
  }

  @Test
  void valueKeepsEverythingAfterTheFirstColon() {
    Map<String, String> m =
        InfoParser.parse(
            "config_file:/etc/redis:odd.conf\nexecutable:C:\\redis\\redis-server.exe\n");
    assertThat(m)
        .containsEntry("config_file", "/etc/redis:odd.conf")
        .containsEntry("executable", "C:\\redis\\redis-server.exe");
  }

  @Test
  void acceptsPlainNewlinesAndTrimsValues() {
    assertThat(InfoParser.parse("a:1\nb: 2 \n")).containsExactly(entry("a", "1"), entry("b", "2"));
  }

  @Test
  void ignoresLinesWithoutKey() {
    assertThat(InfoParser.parse("no colon here\n:empty key\nok:yes"))
        .containsExactly(entry("ok", "yes"));
  }

  @Test
  void emptyAndNullGiveEmptyMap() {
    assertThat(InfoParser.parse(null)).isEmpty();
    assertThat(InfoParser.parse("")).isEmpty();
  }

  @Test
  void keyspaceEntryParsesNumbers() {
    assertThat(InfoParser.keyspaceEntry("keys=10,expires=2,avg_ttl=0"))
        .containsExactly(entry("keys", 10L), entry("expires", 2L), entry("avg_ttl", 0L));
  }

  @Test
  void keyspaceEntrySkipsFieldsThatAreNotNumbers() {
    assertThat(InfoParser.keyspaceEntry("keys=5,subexpiry=n/a,garbage,=3"))
        .containsExactly(entry("keys", 5L));
  }
}
