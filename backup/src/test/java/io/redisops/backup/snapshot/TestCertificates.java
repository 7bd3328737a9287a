package io.redisops.backup.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A throw-away CA and a server certificate signed by it, made with the openssl command line. */
final class TestCertificates {
  final Path caCert;
  final Path serverCert;
  final Path serverKey;

  private TestCertificates(Path caCert, Path serverCert, Path serverKey) {
    this.caCert = caCert;
    this.serverCert = serverCert;
    this.serverKey = serverKey;
  }

  /**
   * A CA and a server certificate whose subject alternative names are {@code subjectAltName}, e.g.
   * DNS:localhost.
   */
  static TestCertificates create(Path dir, String subjectAltName)
      throws IOException, InterruptedException {
    Path caKey = dir.resolve("ca.key");
    Path caCert = dir.resolve("ca.pem");
    Path key = dir.resolve("server.key");
    Path csr = dir.resolve("server.csr");
    Path cert = dir.resolve("server.pem");
    Path ext =
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=" + subjectAltName + "\n");
    openssl(
        dir,
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=redis-ops IT CA",
        "-keyout",
        caKey.toString(),
        "-out",
        caCert.toString());
    openssl(
        dir,
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=redis-ops IT server",
        "-keyout",
        key.toString(),
        "-out",
        csr.toString());
    openssl(
        dir,
        "x509",
        "-req",
        "-days",
        "1",
        "-in",
        csr.toString(),
        "-CA",
        caCert.toString(),
        "-CAkey",
        caKey.toString(),
        "-CAcreateserial",
        "-extfile",
        ext.toString(),
        "-out",
        cert.toString());
    return new TestCertificates(caCert, cert, key);
  }

  /**
   * The redis-server arguments that serve this certificate; clients need no certificate of their
   * own.
   */
  List<String> redisArgs() {
    return new ArrayList<>(
        List.of(
            "--tls-cert-file",
            serverCert.toString(),
            "--tls-key-file",
            serverKey.toString(),
            "--tls-ca-cert-file",
            caCert.toString(),
            "--tls-auth-clients",
            "no"));
  }

  private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("openssl %s%n%s", String.join(" ", args), output).isZero();
    } finally {
      p.destroyForcibly();
    }
  }
}
