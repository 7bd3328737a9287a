package io.redisops.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisReplicaIT {

  @Test
  void replicaOfSyncsFromAPasswordProtectedMaster() {
    try (RedisServer master =
            RedisServer.builder().password("pw").config("repl-diskless-sync-delay", "0").start();
        RedisServer replica = RedisServer.builder().replicaOf(master).start()) {
      master.sync().set("written-on", "master");

      Await.until(
          Duration.ofSeconds(10),
          "replica in sync",
          () -> "up".equals(replica.info("replication", "master_link_status")));
      Await.until(
          Duration.ofSeconds(10),
          "key replicated",
          () -> "master".equals(replica.sync().get("written-on")));

      assertThat(replica.info("replication", "role")).isEqualTo("slave");
      assertThat(master.info("replication", "connected_slaves")).isEqualTo("1");
    }
  }
}
