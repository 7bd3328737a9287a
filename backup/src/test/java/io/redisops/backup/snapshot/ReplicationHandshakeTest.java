package io.redisops.backup.snapshot;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The handshake against scripted server replies: what is sent, and how refusals are reported. */
class ReplicationHandshakeTest {
  private static final String SERVER = "redis://alice@127.0.0.1:7777";

  @Test
  void sendsAuthWithUserThenReplconfThenSync() throws IOException {
    ByteArrayOutputStream sent = new ByteArrayOutputStream();

    handshake("+OK\r\n+OK\r\n+OK\r\n+OK\r\n+OK\r\n", sent)
        .run(RedisEndpoint.parse("redis://alice:pw@127.0.0.1:7777"));

    assertThat(sent.toString(ISO_8859_1))
        .isEqualTo(
            "*3\r\n$4\r\nAUTH\r\n$5\r\nalice\r\n$2\r\npw\r\n"
                + "*3\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n"
                + "*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$2\r\n-2\r\n"
                + "*3\r\n$8\r\nREPLCONF\r\n$7\r\nversion\r\n$5\r\n9.2.0\r\n"
                + "*3\r\n$8\r\nREPLCONF\r\n$8\r\nrdb-only\r\n$1\r\n1\r\n"
                + "*1\r\n$4\r\nSYNC\r\n");
  }

  @Test
  void withoutPasswordNoAuthIsSent() throws IOException {
    ByteArrayOutputStream sent = new ByteArrayOutputStream();

    handshake("+OK\r\n+OK\r\n+OK\r\n+OK\r\n", sent)
        .run(RedisEndpoint.parse("redis://127.0.0.1:7777"));

    assertThat(sent.toString(ISO_8859_1)).doesNotContain("AUTH").endsWith("*1\r\n$4\r\nSYNC\r\n");
  }

  @Test
  void redisRefusingReplconfVersionIsStillAskedForTheRdb() throws IOException {
    // Redis has no REPLCONF version (Valkey chooses the RDB version it sends from it): the error is
    // expected.
    ByteArrayOutputStream sent = new ByteArrayOutputStream();

    handshake("+OK\r\n+OK\r\n-ERR Unrecognized REPLCONF option: version\r\n+OK\r\n", sent)
        .run(RedisEndpoint.parse("redis://127.0.0.1:7777"));

    assertThat(sent.toString(ISO_8859_1)).contains("rdb-only").endsWith("*1\r\n$4\r\nSYNC\r\n");
  }

  @Test
  void serverWithoutRdbOnlyIsStillAskedForSync() throws IOException {
    // Redis before 7.0: the RDB is followed by the command stream, which the framing never reads.
    ByteArrayOutputStream sent = new ByteArrayOutputStream();

    handshake(
            "+OK\r\n+OK\r\n-ERR Unrecognized REPLCONF option: version\r\n-ERR Unrecognized REPLCONF option: rdb-only\r\n",
            sent)
        .run(RedisEndpoint.parse("redis://127.0.0.1:7777"));

    assertThat(sent.toString(ISO_8859_1)).endsWith("*1\r\n$4\r\nSYNC\r\n");
  }

  @Test
  void aServerRefusingTheAnnouncedPortIsStillAskedForTheRdb() throws IOException {
    // Every server measured accepts listening-port -2; one that did not would leave a phantom in
    // Sentinel (port 0), which is better than no backup.
    ByteArrayOutputStream sent = new ByteArrayOutputStream();

    handshake("+OK\r\n-ERR value is out of range\r\n+OK\r\n+OK\r\n", sent)
        .run(RedisEndpoint.parse("redis://127.0.0.1:7777"));

    assertThat(sent.toString(ISO_8859_1))
        .contains("listening-port")
        .endsWith("*1\r\n$4\r\nSYNC\r\n");
  }

  @Test
  void wrongPasswordIsAUsageErrorThatNeverShowsThePassword() {
    assertThatThrownBy(
            () ->
                handshake(
                        "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
                        new ByteArrayOutputStream())
                    .run(RedisEndpoint.parse("redis://alice:hunter2@127.0.0.1:7777")))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessage(
            "Redis at "
                + SERVER
                + " refused the credentials: WRONGPASS invalid username-password pair or"
                + " user is disabled.; check the password or ACL user")
        .message()
        .doesNotContain("hunter2");
  }

  @Test
  void otherErrorsAreQuoted() {
    assertThatThrownBy(
            () ->
                handshake(
                        "-LOADING Redis is loading the dataset in memory\r\n",
                        new ByteArrayOutputStream())
                    .run(RedisEndpoint.parse("redis://127.0.0.1:7777")))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED))
        .hasMessage(
            "Redis at "
                + SERVER
                + " refused REPLCONF capa eof: 'LOADING Redis is loading the dataset in memory'");
  }

  private static ReplicationHandshake handshake(String replies, ByteArrayOutputStream sent) {
    return new ReplicationHandshake(
        new ByteArrayInputStream(replies.getBytes(ISO_8859_1)), sent, SERVER);
  }
}
