package io.redisops.storage.s3;

import io.redisops.error.RedisOpsException;
import io.redisops.secret.Secret;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * Where and how an {@link S3Repository} stores: {@code s3://bucket/prefix}, the endpoint (empty:
 * AWS), region, addressing, credentials, storage class and server-side encryption. Holds no secret
 * in {@link #toString()}.
 *
 * @param endpoint empty for AWS itself; {@code http(s)://host:port} for MinIO and other
 *     S3-compatible stores
 * @param storageClass S3 storage class name; {@code STANDARD} sends no header
 * @param sse {@code none}, {@code AES256} or {@code aws:kms}
 * @param kmsKeyId the KMS key for {@code aws:kms}; empty: the bucket's default key
 * @param trailingChecksum a single PUT carries the body's CRC32C as a trailing checksum, which the
 *     store checks on arrival ({@code offsite.checksum: crc32c}); false: no trailer, and the stored
 *     ETag is compared with the MD5 of the bytes sent after the upload ({@code md5}, for stores
 *     that refuse aws-chunked uploads with trailers)
 */
public record S3Settings(
    String bucket,
    String prefix,
    Optional<URI> endpoint,
    String region,
    boolean pathStyle,
    Credentials credentials,
    String storageClass,
    String sse,
    Optional<String> kmsKeyId,
    boolean trailingChecksum) {

  /** How requests are signed: the AWS default chain, or a fixed access key. */
  public sealed interface Credentials {
    /**
     * Env {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, {@code ~/.aws}, {@code
     * AWS_PROFILE}, an instance role.
     */
    record DefaultChain() implements Credentials {}

    /** An explicit access key; {@code from} says where it came from, for messages. */
    record AccessKey(String accessKeyId, Secret secretAccessKey, String from)
        implements Credentials {}
  }

  public S3Settings {
    sse = normaliseSse(sse);
    if (sse.equals("aws:kms") == false && kmsKeyId.isPresent()) {
      throw RedisOpsException.usage(
          "offsite.kms-key-id is set but offsite.sse is '" + sse + "'; set sse: aws:kms");
    }
  }

  /**
   * Parses {@code s3://bucket[/prefix]}: the prefix is kept without slashes at its ends ("" when
   * none).
   */
  public static String[] parseUri(String uri, String key) {
    if (uri == null || !uri.startsWith("s3://")) {
      throw RedisOpsException.usage(
          key + ": '" + uri + "' is not an s3:// URI; use s3://bucket/prefix");
    }
    String rest = uri.substring("s3://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("^/+|/+$", "");
    // S3's bucket naming rules (lower case, digits, dots, dashes; 3 to 63 characters).
    if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
      throw RedisOpsException.usage(key + ": '" + bucket + "' is not a valid bucket name");
    }
    if (prefix.contains("//")) {
      throw RedisOpsException.usage(key + ": the prefix '" + prefix + "' has an empty segment");
    }
    return new String[] {bucket, prefix};
  }

  private static String normaliseSse(String sse) {
    String s = sse == null ? "none" : sse.trim();
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "none", "" -> "none";
      case "aes256" -> "AES256";
      case "aws:kms" -> "aws:kms";
      default ->
          throw RedisOpsException.usage(
              "offsite.sse: unknown value '" + sse + "'; use none, AES256 or aws:kms");
    };
  }

  /** {@code s3://bucket/prefix}, plus the endpoint when not AWS. */
  public String describe() {
    return "s3://"
        + bucket
        + (prefix.isEmpty() ? "" : "/" + prefix)
        + endpoint.map(e -> " at " + e).orElse("");
  }
}
