package io.redisops.backup.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.redisops.backup.rdb.Verification;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * What a backup is: written last into its folder as {@code manifest.json}; its presence means the
 * backup is complete. Scripts read it, so fields are only ever added (bump {@link #FORMAT_VERSION}
 * when one changes meaning). It never holds a secret: an encrypted backup records the algorithm and
 * the key's id ({@code encryption_key_id}), never the key.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "format_version",
  "id",
  "dataset",
  "snapshot_time",
  "completed_at",
  "tiers",
  "method",
  "source",
  "rdb_version",
  "object",
  "raw_size",
  "stored_size",
  "compression",
  "encryption",
  "encryption_key_id",
  "raw_sha256",
  "stored_sha256",
  "rdb_crc64",
  "rdb_engine",
  "verification",
  "verification_note",
  "key_counts_available",
  "keys",
  "expires",
  "total_keys",
  "server_keys",
  "value_types",
  "stream",
  "origin_path",
  "duration_ms",
  "tool_version"
})
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
    Long totalKeys,
    long durationMs,
    String toolVersion,
    String rdbEngine,
    String verification,
    String verificationNote,
    Long serverKeys,
    String originPath,
    List<Integer> valueTypes,
    StreamPosition stream) {

  public static final int FORMAT_VERSION = 1;
  public static final String FILE_NAME = "manifest.json";

  /**
   * {@code rdb_engine} of a {@code REDISnnnn} file (also what a manifest without the field means).
   */
  public static final String ENGINE_REDIS = "redis";

  /** {@code method} of a backup brought in by {@code redis-ops import}. */
  public static final String METHOD_IMPORT = "import";

  /**
   * The server the snapshot came from, as it described itself at capture time.
   *
   * @param redisVersion INFO's {@code redis_version} (Valkey reports a compatibility version there,
   *     e.g. 7.2.4)
   * @param engine {@code redis} or {@code valkey} (INFO's {@code server_name}; null in older
   *     manifests)
   * @param engineVersion the engine's own version ({@code valkey_version} for Valkey; null in older
   *     manifests)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Source(
      String host,
      int port,
      String role,
      String runId,
      String replid,
      Long offset,
      String redisVersion,
      String engine,
      String engineVersion) {

    public Source(
        String host,
        int port,
        String role,
        String runId,
        String replid,
        Long offset,
        String redisVersion) {
      this(host, port, role, runId, replid, offset, redisVersion, null, null);
    }

    /**
     * {@code role} of an imported copy: no server was asked, so host, port and run id are unknown
     * (null, 0).
     */
    public static final String ROLE_IMPORT = "import";

    /** As shown to people: {@code Valkey 9.1.2}, {@code Redis 8.0.6}. */
    public String describe() {
      boolean valkey = "valkey".equals(engine);
      String version = valkey && engineVersion != null ? engineVersion : redisVersion;
      return (valkey ? "Valkey " : "Redis ") + (version == null ? "(version unknown)" : version);
    }

    /**
     * Where the snapshot came from, in a table cell: {@code 10.0.0.1:6379 master}, or {@code
     * import}.
     */
    public String describeServer() {
      if (host == null) {
        return role;
      }
      return (port == 0 ? host : host + ":" + port) + " " + role;
    }
  }

  /** A manifest of an unencrypted backup (the form before {@code encryption_key_id} existed). */
  public Manifest(
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
      String rawSha256,
      String storedSha256,
      String rdbCrc64,
      boolean keyCountsAvailable,
      SortedMap<Integer, Long> keys,
      SortedMap<Integer, Long> expires,
      long totalKeys,
      long durationMs,
      String toolVersion) {
    this(
        formatVersion,
        id,
        dataset,
        snapshotTime,
        completedAt,
        tiers,
        method,
        source,
        rdbVersion,
        object,
        rawSize,
        storedSize,
        compression,
        encryption,
        null,
        rawSha256,
        storedSha256,
        rdbCrc64,
        keyCountsAvailable,
        keys,
        expires,
        keyCountsAvailable ? totalKeys : null,
        durationMs,
        toolVersion,
        ENGINE_REDIS,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /**
   * The verification level recorded at capture; manifests written before the field existed were
   * fully verified.
   */
  public Verification verificationLevel() {
    return Verification.ofLabel(verification);
  }

  /** {@code redis} or {@code valkey}: the RDB's magic. */
  public String rdbEngineOrDefault() {
    return rdbEngine == null ? ENGINE_REDIS : rdbEngine;
  }

  /**
   * True when the RDB's key counts were read: {@link #totalKeys()} and {@link #keys()} are exact.
   */
  public boolean keysKnown() {
    return keyCountsAvailable && totalKeys != null;
  }

  /**
   * True when the key counts can be held against a restored server: read, and from a fully verified
   * RDB (a format newer than this redis-ops knows may parse with counts that are not exact).
   */
  public boolean keyCountsExact() {
    return keysKnown() && verificationLevel() == Verification.FULL;
  }

  /**
   * The key total for people: the number, or {@code unknown} (with the server's count at capture
   * when known).
   */
  public String describeTotalKeys() {
    if (keysKnown()) {
      return Long.toString(totalKeys);
    }
    return "unknown" + (serverKeys == null ? "" : " (server had " + serverKeys + ")");
  }

  /** The RDB format as its header writes it: {@code REDIS0012}, {@code VALKEY080}. */
  public String rdbFormat() {
    return "valkey".equals(rdbEngine)
        ? String.format("VALKEY%03d", rdbVersion)
        : String.format("REDIS%04d", rdbVersion);
  }

  /** {@code encryption} of a backup stored as it was compressed. */
  public static final String NOT_ENCRYPTED = "none";

  public boolean encrypted() {
    return encryption != null && !encryption.equals(NOT_ENCRYPTED);
  }

  /**
   * This backup as stored encrypted under {@code object}. The sizes and SHA-256 sums keep
   * describing the compressed object before encryption (what decryption must give back); the
   * encryption itself is authenticated.
   */
  public Manifest encryptedAs(String object, String algorithm, String keyId) {
    return new Manifest(
        formatVersion,
        id,
        dataset,
        snapshotTime,
        completedAt,
        tiers,
        method,
        source,
        rdbVersion,
        object,
        rawSize,
        storedSize,
        compression,
        algorithm,
        keyId,
        rawSha256,
        storedSha256,
        rdbCrc64,
        keyCountsAvailable,
        keys,
        expires,
        totalKeys,
        durationMs,
        toolVersion,
        rdbEngine,
        verification,
        verificationNote,
        serverKeys,
        originPath,
        valueTypes,
        stream);
  }

  /**
   * Where the snapshot sits in its master's replication stream, from the RDB's own AUX fields
   * ({@code repl-id}, {@code repl-offset}, {@code repl-stream-db}): Redis writes them into a
   * replication snapshot, and into a BGSAVE file when the server keeps a replication backlog. The
   * point-in-time archive continues a backup from exactly this position. Null when the RDB does not
   * carry it (older manifests, imports of files without the fields).
   *
   * @param replid the replication id the offset belongs to
   * @param offset the replication offset the snapshot includes everything up to
   * @param db the database selected in the stream at that offset ({@code -1} when unknown)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record StreamPosition(String replid, long offset, int db) {

    /** The position an RDB's AUX fields give, or null when they do not give one. */
    public static StreamPosition fromAux(Map<String, String> aux) {
      String id = aux.get("repl-id");
      String off = aux.get("repl-offset");
      if (id == null || off == null || id.length() != 40) {
        return null;
      }
      try {
        String db = aux.get("repl-stream-db");
        return new StreamPosition(id, Long.parseLong(off), db == null ? -1 : Integer.parseInt(db));
      } catch (NumberFormatException e) {
        return null;
      }
    }
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
    if (keys == null) {
      return "-"; // not recorded (a manifest written without the count, e.g. by hand or an old
      // version)
    }
    StringBuilder sb = new StringBuilder();
    keys.forEach(
        (db, n) ->
            sb.append(sb.length() == 0 ? "" : " ").append("db").append(db).append('=').append(n));
    return sb.toString();
  }
}
