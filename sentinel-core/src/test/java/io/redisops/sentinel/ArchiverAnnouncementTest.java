package io.redisops.sentinel;

import static org.assertj.core.api.Assertions.assertThat;

import io.redisops.sentinel.ArchiverAnnouncement.Attached;
import io.redisops.sentinel.ArchiverAnnouncement.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArchiverAnnouncementTest {

  /** A Redis 7.0.15 master with two replicas, the archiver and a capture (as measured). */
  private static final String REDIS_70 =
      "# Replication\r\n"
          + "role:master\r\n"
          + "connected_slaves:4\r\n"
          + "slave0:ip=127.0.0.1,port=17102,state=online,offset=3526,lag=1\r\n"
          + "slave1:ip=127.0.0.1,port=17103,state=online,offset=3526,lag=1\r\n"
          + "slave2:ip=10.0.0.9,port=-1,state=online,offset=3512,lag=0\r\n"
          + "slave3:ip=10.0.0.9,port=-2,state=wait_bgsave,offset=0,lag=0\r\n"
          + "master_failover_state:no-failover\r\n"
          + "master_replid:f05d4ce38a92a5839f38c9bd3a5ebe4f64aa0e2e\r\n"
          + "master_repl_offset:3526\r\n";

  /** Redis 8.6 and Valkey 9.1 add fields after {@code lag}. */
  private static final String VALKEY_91 =
      "# Replication\r\n"
          + "role:master\r\n"
          + "slave0:ip=127.0.0.1,port=17102,state=online,offset=3526,lag=1,type=replica\r\n"
          + "slave1:ip=127.0.0.1,port=-1,state=online,offset=3907,lag=0,type=replica\r\n"
          + "slave2:ip=127.0.0.1,port=70000,state=online,offset=3907,lag=0,type=replica\r\n"
          + "slave3:ip=127.0.0.1,port=0,state=online,offset=3907,lag=0,type=replica\r\n";

  @Test
  void theHandshakeAnnouncesAPortSentinelRefusesAndNoAddress() {
    assertThat(ArchiverAnnouncement.archiverHandshake())
        .containsExactly(List.of("REPLCONF", "listening-port", "-1"));
    assertThat(ArchiverAnnouncement.captureHandshake())
        .containsExactly(List.of("REPLCONF", "listening-port", "-2"));
    assertThat(ArchiverAnnouncement.archiverHandshake()).noneMatch(c -> c.contains("ip-address"));
  }

  @Test
  void findsTheArchiverAndACaptureAmongTheReplicas() {
    assertThat(ArchiverAnnouncement.parse(REDIS_70))
        .containsExactly(
            new Attached(Kind.ARCHIVER, "10.0.0.9", -1, "online", 3512, 0, 14L),
            new Attached(Kind.CAPTURE, "10.0.0.9", -2, "wait_bgsave", 0, 0, 3526L));
  }

  @Test
  void readsTheLongerLinesOfNewerServersAndIgnoresOtherOddPorts() {
    List<Attached> a = ArchiverAnnouncement.parse(VALKEY_91);
    assertThat(a).hasSize(1);
    assertThat(a.get(0).kind()).isEqualTo(Kind.ARCHIVER);
    assertThat(a.get(0).ackOffset()).isEqualTo(3907);
    assertThat(a.get(0).lagBytes()).as("no master_repl_offset in the text").isNull();
  }

  @Test
  void aMasterWithoutReplicasHasNone() {
    assertThat(ArchiverAnnouncement.parse("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"))
        .isEmpty();
    assertThat(ArchiverAnnouncement.parse(null)).isEmpty();
  }

  @Test
  void portZeroAndTheAnnouncedPortsAreNoServers() {
    assertThat(ArchiverAnnouncement.notAServer(0)).isTrue();
    assertThat(ArchiverAnnouncement.notAServer(-1)).isTrue();
    assertThat(ArchiverAnnouncement.notAServer(-2)).isTrue();
    assertThat(ArchiverAnnouncement.notAServer(6379)).isFalse();
    assertThat(ArchiverAnnouncement.kindOf(6379)).isEmpty();
  }
}
