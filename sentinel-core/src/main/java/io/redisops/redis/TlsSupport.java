package io.redisops.redis;

import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS trust for connections to Redis, built with the JDK only so that code outside Lettuce (raw
 * sockets such as the replication-stream fetch) can trust the certificate authorities given with
 * {@code --tls-ca-file}.
 */
public final class TlsSupport {

  private TlsSupport() {}

  /**
   * An {@link SSLContext} that trusts the certificates in a PEM file, and only those.
   *
   * @param pemCaFile PEM file holding one or more X.509 CA certificates; null for the JVM's default
   *     trust store
   * @return an initialised TLS context (no client key: Redis client certificates are not supported
   *     here)
   * @throws RedisOpsException exit USAGE, naming the file, when it cannot be read or holds no
   *     certificate
   */
  public static SSLContext forCaFile(Path pemCaFile) {
    try {
      if (pemCaFile == null) {
        return SSLContext.getDefault();
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStoreOf(pemCaFile));
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      // The JDK always ships TLS and PKIX; reaching this means a broken JVM, not a user error.
      throw RedisOpsException.failed("unable to set up TLS: " + e.getMessage(), e);
    }
  }

  private static KeyStore trustStoreOf(Path pemCaFile) throws GeneralSecurityException {
    if (Files.isDirectory(pemCaFile)) {
      throw RedisOpsException.usage(
          "CA file " + pemCaFile + " is a directory; check --tls-ca-file");
    }
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(pemCaFile)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException e) {
      throw RedisOpsException.usage(
          "unable to read CA file " + pemCaFile + ": " + describe(e) + "; check --tls-ca-file");
    } catch (CertificateException e) {
      throw notACertificate(pemCaFile);
    }
    if (certificates.isEmpty()) {
      // generateCertificates returns an empty list for a file without any PEM block, e.g. an empty
      // file
      throw notACertificate(pemCaFile);
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new IllegalStateException("an empty key store cannot fail to load", e);
    }
    int i = 0;
    for (Certificate certificate : certificates) {
      store.setCertificateEntry("ca-" + i++, certificate);
    }
    return store;
  }

  private static RedisOpsException notACertificate(Path pemCaFile) {
    return RedisOpsException.usage(
        "CA file "
            + pemCaFile
            + " does not hold a PEM X.509 certificate (-----BEGIN CERTIFICATE-----); check --tls-ca-file");
  }

  private static String describe(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
