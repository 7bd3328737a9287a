package io.redisops.backup.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import io.redisops.redis.RedisEndpoint;
import io.redisops.testkit.RedisServerExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passwords and ACL users against a real redis-server; the password must never show in a message.
 */
class ReplicationRdbStreamAuthIT {
  private static final String PASSWORD = "s3cr3t-default-pw";

  @RegisterExtension
  static final RedisServerExtension server =
      RedisServerExtension.builder()
          .config("repl-diskless-sync", "yes")
          .config("repl-diskless-sync-delay", "0")
          .password(PASSWORD)
          .aclUser("alice", "secret", "on", "~*", "&*", "+@all")
          .aclUser("bob", "bobpw", "on", "~*", "&*", "+@all", "-sync", "-psync")
          .aclUser("carol", "carolpw", "on", "~*", "&*", "+@all", "-replconf")
          .build();

  @TempDir static Path dir;

  @BeforeAll
  static void populate() {
    server.sync().mset(FetchedRdb.sampleKeys(20));
  }

  @Test
  void defaultUserPasswordWorks() throws Exception {
    assertThat(FetchedRdb.fetchAndCheck(endpoint(":" + PASSWORD), true, dir.resolve("default.rdb")))
        .contains("20 keys read");
  }

  @Test
  void aclUserWorks() throws Exception {
    assertThat(FetchedRdb.fetchAndCheck(endpoint("alice:secret"), true, dir.resolve("alice.rdb")))
        .contains("20 keys read");
  }

  @Test
  void wrongPasswordIsAUsageErrorWithoutThePassword() {
    assertThatThrownBy(() -> open(endpoint("alice:not-the-password")))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessageStartingWith(
            "Redis at redis://alice@127.0.0.1:"
                + server.port()
                + " refused the credentials: WRONGPASS")
        .hasMessageEndingWith("; check the password or ACL user")
        .message()
        .doesNotContain("not-the-password");
  }

  @Test
  void missingPasswordIsAUsageError() {
    assertThatThrownBy(() -> open(endpoint(null)))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessageContaining("requires a password: NOAUTH");
  }

  @Test
  void userWithoutSyncPermissionIsAUsageErrorNamingTheAclRules() {
    assertThatThrownBy(() -> open(endpoint("bob:bobpw")))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessageStartingWith(
            "Redis at redis://bob@127.0.0.1:" + server.port() + " refused SYNC: NOPERM")
        .hasMessageContaining("+sync +replconf (or @admin)")
        .message()
        .doesNotContain("bobpw");
  }

  @Test
  void userWithoutReplconfPermissionIsAUsageError() {
    assertThatThrownBy(() -> open(endpoint("carol:carolpw")))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessageStartingWith(
            "Redis at redis://carol@127.0.0.1:"
                + server.port()
                + " refused REPLCONF capa eof: NOPERM")
        .hasMessageContaining("+sync +replconf (or @admin)");
  }

  private static RedisEndpoint endpoint(String userInfo) {
    return RedisEndpoint.parse(
        "redis://" + (userInfo == null ? "" : userInfo + "@") + "127.0.0.1:" + server.port());
  }

  private static void open(RedisEndpoint ep) {
    ReplicationRdbStream.open(ep, FetchedRdb.CONNECT, FetchedRdb.READ).close();
  }
}
