package io.redisops.config;

import io.redisops.backup.retention.RetentionPolicy;
import io.redisops.error.RedisOpsException;
import io.redisops.secret.Secret;
import io.redisops.storage.s3.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves the {@code offsite} section (and {@code --offsite}) with its defaults, validating every
 * key up front. Credentials: {@code default} (the AWS chain), {@code env} ({@value
 * Settings#ENV_S3_ACCESS_KEY_ID} and {@value Settings#ENV_S3_SECRET_ACCESS_KEY}) or {@code
 * file:PATH} (an AWS-style file with {@code aws_access_key_id} and {@code aws_secret_access_key}
 * lines). No value read here is ever printed.
 */
final class OffsiteConfig {
  static final String DEFAULT_REGION = "us-east-1";

  private OffsiteConfig() {}

  static Optional<OffsiteSettings> resolve(
      Config.Offsite o, String uriOverride, RetentionPolicy retention, Map<String, String> env) {
    if (o == null && uriOverride == null) {
      return Optional.empty();
    }
    Config.Offsite c =
        o == null ? new Config.Offsite(null, null, null, null, null, null, null, null, null) : o;
    s3(c, uriOverride, env, false); // every key's shape now, the secrets when used
    return Optional.of(new OffsiteSettings(c, uriOverride, retention, env));
  }

  /**
   * @param readCredentials false: a placeholder stands for the credentials (validation and
   *     descriptions only)
   */
  static S3Settings s3(
      Config.Offsite c, String uriOverride, Map<String, String> env, boolean readCredentials) {
    String uri = uriOverride != null ? uriOverride : c.uri();
    if (uri == null) {
      throw RedisOpsException.usage(
          "offsite.uri: missing; set it to s3://bucket/prefix (or remove the offsite section)");
    }
    String[] bp = S3Settings.parseUri(uri, uriOverride != null ? "--offsite" : "offsite.uri");
    Optional<URI> endpoint = Optional.ofNullable(c.endpoint()).map(OffsiteConfig::endpoint);
    String region = c.region() == null ? DEFAULT_REGION : c.region().trim();
    if (!region.matches("[a-z0-9-]+")) {
      throw RedisOpsException.usage(
          "offsite.region: '" + region + "' is not a region name (like us-east-1)");
    }
    String storageClass =
        c.storageClass() == null ? "STANDARD" : c.storageClass().trim().toUpperCase(Locale.ROOT);
    if (!storageClass.matches("[A-Z_]+")) {
      throw RedisOpsException.usage(
          "offsite.storage-class: '"
              + c.storageClass()
              + "' is not a storage class (like STANDARD)");
    }
    String checksum =
        c.checksum() == null ? "crc32c" : c.checksum().trim().toLowerCase(Locale.ROOT);
    if (!checksum.equals("crc32c") && !checksum.equals("md5")) {
      throw RedisOpsException.usage(
          "offsite.checksum: '"
              + c.checksum()
              + "' is not a checksum; use crc32c (the default: a trailing checksum each PUT"
              + " carries) or md5 (for a store that refuses trailing checksums)");
    }
    S3Settings.Credentials credentials =
        readCredentials ? credentials(c.credentials(), env) : checkCredentials(c.credentials());
    return new S3Settings(
        bp[0],
        bp[1],
        endpoint,
        region,
        c.pathStyle() != null && c.pathStyle(),
        credentials,
        storageClass,
        c.sse(),
        Optional.ofNullable(c.kmsKeyId()),
        checksum.equals("crc32c"));
  }

  private static S3Settings.Credentials checkCredentials(String text) {
    String c = text == null ? "default" : text.trim();
    if (!(c.equals("default") || c.equals("env") || (c.startsWith("file:") && c.length() > 5))) {
      // the value is not echoed: a misplaced access key must not reach a log
      throw RedisOpsException.usage(
          "offsite.credentials: unknown value; use default, env or file:/path/to/credentials");
    }
    return new S3Settings.Credentials.DefaultChain();
  }

  private static URI endpoint(String text) {
    try {
      URI u = new URI(text.trim());
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
        throw new java.net.URISyntaxException(text, "not http(s)://host[:port]");
      }
      return u;
    } catch (java.net.URISyntaxException e) {
      throw RedisOpsException.usage(
          "offsite.endpoint: '" + text + "' is not an http(s)://host[:port] URL");
    }
  }

  private static S3Settings.Credentials credentials(String text, Map<String, String> env) {
    checkCredentials(text);
    String c = text == null ? "default" : text.trim();
    if (c.equals("default")) {
      return new S3Settings.Credentials.DefaultChain();
    }
    if (c.equals("env")) {
      String id = env.get(Settings.ENV_S3_ACCESS_KEY_ID);
      String secret = env.get(Settings.ENV_S3_SECRET_ACCESS_KEY);
      if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
        throw RedisOpsException.usage(
            "offsite.credentials is 'env' but "
                + Settings.ENV_S3_ACCESS_KEY_ID
                + " and "
                + Settings.ENV_S3_SECRET_ACCESS_KEY
                + " are not both set");
      }
      return new S3Settings.Credentials.AccessKey(
          id.trim(), Secret.of(secret.trim()), "environment");
    }
    if (c.startsWith("file:")) {
      Path file = Path.of(c.substring("file:".length()));
      String id = null;
      String secret = null;
      try {
        for (String line : Files.readAllLines(file)) {
          int eq = line.indexOf('=');
          if (eq > 0) {
            String k = line.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String v = line.substring(eq + 1).trim();
            if (k.equals("aws_access_key_id")) {
              id = v;
            } else if (k.equals("aws_secret_access_key")) {
              secret = v;
            }
          }
        }
      } catch (IOException e) {
        throw RedisOpsException.usage(
            "offsite.credentials: unable to read "
                + file
                + " ("
                + e.getClass().getSimpleName()
                + ")");
      }
      if (id == null || secret == null || id.isEmpty() || secret.isEmpty()) {
        throw RedisOpsException.usage(
            "offsite.credentials: "
                + file
                + " needs both aws_access_key_id and aws_secret_access_key lines");
      }
      return new S3Settings.Credentials.AccessKey(id, Secret.of(secret), file.toString());
    }
    // the value is not echoed: a misplaced access key must not reach a log
    throw RedisOpsException.usage(
        "offsite.credentials: unknown value; use default, env or file:/path/to/credentials");
  }
}
