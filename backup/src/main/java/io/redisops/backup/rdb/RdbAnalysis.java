package io.redisops.backup.rdb;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link RdbAnalyzer} learned from one pass over an RDB stream.
 *
 * @param engine {@code redis} for a {@code REDISnnnn} header, {@code valkey} for {@code VALKEYnnn}
 *     (Valkey 7.2-8.x writes {@code REDIS0011}: engine is what the magic says)
 * @param rdbVersion the version from the header (Redis 7.0 writes 10, 8.6 writes 13, Valkey 9
 *     writes 80)
 * @param keysPerDb keys stored per database number, in database order; every key in the file is
 *     counted, including keys whose expire time has already passed (Redis would drop those on
 *     load). Empty when {@code keyCountsAvailable} is false.
 * @param expiresPerDb keys with an expire time per database; has an entry (possibly 0) for every
 *     database of {@code keysPerDb}. Empty when {@code keyCountsAvailable} is false.
 * @param keyCountsAvailable false when a value type or opcode that cannot be followed (module type
 *     6, a type or opcode this reader does not know, or anything in a newer version that did not
 *     parse) stopped the structural parse; the checksum was still verified over the whole stream
 * @param aux AUX fields in file order ({@code redis-ver}, {@code ctime}, {@code repl-id}...);
 *     integer-encoded values rendered in decimal
 * @param crcPresent false for RDB versions below 5 (no trailer) and for files written with {@code
 *     rdbchecksum no} (stored checksum 0)
 * @param storedCrc the trailer's CRC-64 (0 when absent)
 * @param computedCrc the CRC-64 of every byte before the trailer
 * @param totalBytes bytes read from the stream, trailer included (for a compressed file: the
 *     compressed bytes)
 * @param verification {@link Verification#FULL} when every part was parsed, else {@link
 *     Verification#CHECKSUM}
 * @param verificationNote why the level is not {@code FULL} (null when it is)
 * @param valueTypes the value type codes of the keys read, ascending (e.g. a Valkey 9 target
 *     refuses a Redis file holding types 22 to 243); those read before the parse stopped when the
 *     level is {@code CHECKSUM}
 * @param compression null for a plain RDB; {@code lz4} when the file was inside Valkey's {@code
 *     VKCS} whole-file compression envelope (the other fields then describe the inner RDB)
 */
public record RdbAnalysis(
    String engine,
    int rdbVersion,
    Map<Integer, Long> keysPerDb,
    Map<Integer, Long> expiresPerDb,
    boolean keyCountsAvailable,
    Map<String, String> aux,
    boolean crcPresent,
    long storedCrc,
    long computedCrc,
    long totalBytes,
    Verification verification,
    String verificationNote,
    List<Integer> valueTypes,
    String compression) {

  public RdbAnalysis {
    // Immutable copies that keep the meaningful order (db number, file order of AUX fields).
    keysPerDb = Collections.unmodifiableMap(new TreeMap<>(keysPerDb));
    expiresPerDb = Collections.unmodifiableMap(new TreeMap<>(expiresPerDb));
    aux = Collections.unmodifiableMap(new LinkedHashMap<>(aux));
    valueTypes = valueTypes == null ? List.of() : List.copyOf(valueTypes);
  }

  /**
   * The same analysis for an RDB found inside a compression envelope of {@code compressedBytes}
   * bytes.
   */
  RdbAnalysis withEnvelope(String codec, long compressedBytes) {
    return new RdbAnalysis(
        engine,
        rdbVersion,
        keysPerDb,
        expiresPerDb,
        keyCountsAvailable,
        aux,
        crcPresent,
        storedCrc,
        computedCrc,
        compressedBytes,
        verification,
        verificationNote,
        valueTypes,
        codec);
  }

  /** True when the file carries no checksum or the stored checksum equals the computed one. */
  public boolean crcOk() {
    return !crcPresent || storedCrc == computedCrc;
  }

  /** Sum of {@link #keysPerDb()}, or -1 when {@link #keyCountsAvailable()} is false. */
  public long totalKeys() {
    if (!keyCountsAvailable) {
      return -1;
    }
    return keysPerDb.values().stream().mapToLong(Long::longValue).sum();
  }
}
