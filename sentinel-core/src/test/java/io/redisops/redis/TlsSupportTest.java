package io.redisops.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.error.ExitCode;
import io.redisops.error.RedisOpsException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsSupportTest {

  @TempDir Path dir;

  @Test
  void nullPathGivesTheJvmDefaultTrust() throws Exception {
    assertThat(TlsSupport.forCaFile(null)).isSameAs(SSLContext.getDefault());
  }

  @Test
  void pemCaFileGivesAnInitialisedContext() throws URISyntaxException {
    Path pem = Path.of(getClass().getResource("/tls/test-ca.pem").toURI());

    SSLContext context = TlsSupport.forCaFile(pem);

    assertThat(context.getSocketFactory()).isNotNull();
  }

  @Test
  void missingFileIsAUsageErrorNamingTheFile() {
    Path missing = dir.resolve("nope.pem");

    assertThatThrownBy(() -> TlsSupport.forCaFile(missing))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessage("unable to read CA file " + missing + ": no such file; check --tls-ca-file");
  }

  @Test
  void fileWithoutCertificateIsAUsageErrorNamingTheFile() throws Exception {
    Path garbage =
        Files.writeString(
            dir.resolve("key.pem"),
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    Path empty = Files.createFile(dir.resolve("empty.pem"));

    for (Path p : new Path[] {garbage, empty}) {
      assertThatThrownBy(() -> TlsSupport.forCaFile(p))
          .isInstanceOfSatisfying(
              RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
          .hasMessageStartingWith("CA file " + p + " does not hold a PEM X.509 certificate");
    }
  }

  @Test
  void directoryIsAUsageError() {
    assertThatThrownBy(() -> TlsSupport.forCaFile(dir))
        .isInstanceOfSatisfying(
            RedisOpsException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessageContaining(dir.toString());
  }
}
