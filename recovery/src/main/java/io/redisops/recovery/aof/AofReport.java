package io.redisops.recovery.aof;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The result of checking an AOF: one report per file in load order, and what kind of damage there
 * is.
 *
 * @param location where the AOF is
 * @param files per-file reports, base first
 * @param damage what is wrong, {@link Damage#NONE} when valid
 * @param toolSays redis-check-aof's last line of output
 * @param basesJudgedByRedisOps the checker refused an RDB base that redis-ops' own verifier passed
 *     (a checker older than the server, or valkey-check-aof 9.1 on its own VALKEY080 base): the
 *     base's verdict is redis-ops', the command files were checked one by one, and a fix is made on
 *     the last file alone
 */
public record AofReport(
    AofLocation location,
    List<AofFileReport> files,
    Damage damage,
    String toolSays,
    boolean basesJudgedByRedisOps) {

  public AofReport(
      AofLocation location, List<AofFileReport> files, Damage damage, String toolSays) {
    this(location, files, damage, toolSays, false);
  }

  public AofReport {
    files = List.copyOf(files);
  }

  /** The kinds of damage, by what can be done about them. */
  public enum Damage {
    /** Everything valid. */
    NONE,
    /**
     * The last file (last incr, or the single file) is damaged in its command part: {@code --fix}
     * can cut it.
     */
    LAST_FILE,
    /** The base, or an incr file that is not the last: not fixable, restore from a backup. */
    NOT_LAST_FILE,
    /** The RDB part (base file or preamble) is damaged: not fixable, restore from a backup. */
    BASE,
    /**
     * A listed file is missing, or redis-check-aof failed in a way it did not explain with figures.
     */
    OTHER
  }

  public boolean valid() {
    return damage == Damage.NONE;
  }

  /** The first damaged file, if any. */
  public Optional<AofFileReport> damagedFile() {
    return files.stream().filter(AofFileReport::damaged).findFirst();
  }

  /**
   * The time of the newest intact command known ({@code #TS}) before the damage: the moment to
   * restore to.
   */
  public Optional<Instant> lastIntactTime() {
    Instant t = null;
    for (AofFileReport f : files) {
      if (f.lastIntactTime() != null) {
        t = f.lastIntactTime();
      }
      if (f.damaged()) {
        break;
      }
    }
    return Optional.ofNullable(t);
  }
}
