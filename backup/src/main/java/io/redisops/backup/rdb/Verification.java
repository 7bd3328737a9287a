package io.redisops.backup.rdb;

/**
 * How far a snapshot was verified, recorded in the manifest as {@code verification}.
 *
 * <p>A newer or unknown format never stops backups: a snapshot whose version or value type this
 * version of redis-ops does not know is still kept when its CRC-64 matches, at level {@link
 * #CHECKSUM}. A CRC mismatch, a malformed part the parser does know, or a truncated stream is
 * refused whatever the level.
 */
public enum Verification {
  /**
   * Every part was parsed and every encoding validated; key counts are exact; the CRC-64 matches.
   */
  FULL,
  /**
   * The CRC-64 over the whole file matches, but some part could not be followed (the reason is
   * recorded).
   */
  CHECKSUM;

  /** As written in manifests and JSON output. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Reads {@link #label()}; null (a manifest written before the field existed) counts as {@link
   * #FULL}.
   */
  public static Verification ofLabel(String label) {
    return label == null ? FULL : valueOf(label.toUpperCase(java.util.Locale.ROOT));
  }
}
