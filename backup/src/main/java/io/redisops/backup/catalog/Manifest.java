package io.redisops.backup.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * What a backup is: written last into its folder as {@code manifest.json}; its presence means the backup is
 * complete. Scripts read it, so fields are only ever added (bump {@link #FORMAT_VERSION} when one changes meaning).
 * It never holds a secret: an encrypted backup records the algorithm and the key's id ({@code encryption_key_id}),
 * never the key.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"format_version", "id", "dataset", "snapshot_time", "completed_at", "tiers", "method", "source",
    "rdb_version", "object", "raw_size", "stored_size", "compression", "encryption", "encryption_key_id", "raw_sha256", "stored_sha256",
    "rdb_crc64", "key_counts_available", "keys", "expires", "total_keys", "duration_ms", "tool_version"})
public record Manifest(
    int formatVersion,
    String id,
    String dataset,
    Instant snapshotTime,
    Instant completedAt,
    Set<Tier> tiers,
    String method,
    Source source,
    int rdbVersion,
    String object,
    long rawSize,
    long storedSize,
    String compression,
    String encryption,
    String encryptionKeyId,
    String rawSha256,
    String storedSha256,
    String rdbCrc64,
    boolean keyCountsAvailable,
    SortedMap<Integer, Long> keys,
    SortedMap<Integer, Long> expires,
    long totalKeys,
    long durationMs,
    String toolVersion) {

  public static final int FORMAT_VERSION = 1;
  public static final String FILE_NAME = "manifest.json";

  /** The Redis server the snapshot came from, as it described itself at capture time. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Source(String host, int port, String role, String runId, String replid, Long offset,
      String redisVersion) {}

  /** A manifest of an unencrypted backup (the form before {@code encryption_key_id} existed). */
  public Manifest(int formatVersion, String id, String dataset, Instant snapshotTime, Instant completedAt, Set<Tier> tiers,
      String method, Source source, int rdbVersion, String object, long rawSize, long storedSize, String compression,
      String encryption, String rawSha256, String storedSha256, String rdbCrc64, boolean keyCountsAvailable,
      SortedMap<Integer, Long> keys, SortedMap<Integer, Long> expires, long totalKeys, long durationMs, String toolVersion) {
    this(formatVersion, id, dataset, snapshotTime, completedAt, tiers, method, source, rdbVersion, object, rawSize,
        storedSize, compression, encryption, null, rawSha256, storedSha256, rdbCrc64, keyCountsAvailable, keys, expires,
        totalKeys, durationMs, toolVersion);
  }

  /** {@code encryption} of a backup stored as it was compressed. */
  public static final String NOT_ENCRYPTED = "none";

  public boolean encrypted() {
    return encryption != null && !encryption.equals(NOT_ENCRYPTED);
  }

  /**
   * This backup as stored encrypted under {@code object}. The sizes and SHA-256 sums keep describing the compressed
   * object before encryption (what decryption must give back); the encryption itself is authenticated.
   */
  public Manifest encryptedAs(String object, String algorithm, String keyId) {
    return new Manifest(formatVersion, id, dataset, snapshotTime, completedAt, tiers, method, source, rdbVersion, object,
        rawSize, storedSize, compression, algorithm, keyId, rawSha256, storedSha256, rdbCrc64, keyCountsAvailable, keys,
        expires, totalKeys, durationMs, toolVersion);
  }

  public boolean hasTier(Tier t) {
    return tiers.contains(t);
  }

  /** Tiers in their natural order, for display. */
  public List<Tier> sortedTiers() {
    return tiers.stream().sorted().toList();
  }

  /** Key counts by database as {@code db0=10 db3=2}. */
  public static String describeKeys(Map<Integer, Long> keys) {
    StringBuilder sb = new StringBuilder();
    keys.forEach((db, n) -> sb.append(sb.length() == 0 ? "" : " ").append("db").append(db).append('=').append(n));
    return sb.toString();
  }
}
