package io.redisops.cli;

import io.redisops.backup.catalog.Tier;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.error.RedisOpsException;
import io.redisops.recovery.restore.BackupSources;
import io.redisops.recovery.select.RestoreTime;
import io.redisops.text.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.TypeConversionException;

/**
 * The option values redis-ops parses itself, registered once on the command line ({@link
 * #register}). A bad value is a usage error (exit 2) with one message form, made by {@link
 * #message}: {@code invalid value for --at: 'xx' (expected HH:MM[:SS], ...)}.
 */
final class Converters {
  /** What {@code restore --at} accepts (RestoreTime's forms). */
  static final String TIME_FORMS =
      "HH:MM[:SS], YYYY-MM-DD HH:MM[:SS], ISO-8601 with offset or Z"
          + " (2026-11-22T11:00:00Z), -90m / -2h / -1d, or now";

  private static final Pattern FUTURE =
      Pattern.compile(".* is in the future \\((.*)\\); give a past time");

  private Converters() {}

  /**
   * A value the converter refuses; its message says what was expected, without the option or the
   * value.
   */
  static final class BadValue extends TypeConversionException {
    private static final long serialVersionUID = 1L;

    BadValue(String expected) {
      super(expected);
    }
  }

  /** A size in bytes ({@code --max-loss}): 512, 512B, 4K, 4KiB, 1MiB, 2G; units are binary. */
  record ByteSize(long bytes) {}

  /**
   * The {@code --tier} of {@code import}: a tier, or {@code auto} (null: from the folder layout).
   */
  record ImportTier(Tier tier) {}

  /**
   * The {@code TIME} of {@code restore --at}: the latest instant it covers, never after now; or
   * {@code now} ({@code end}): as late as the data goes, the end of the point-in-time archive (the
   * instant is then the moment it was parsed).
   */
  record RestoreAt(Instant instant, boolean end) {}

  /**
   * What shell completion offers for {@code --where} (the enum's constants would be offered in
   * capitals).
   */
  static final class WhereValues extends java.util.ArrayList<String> {
    private static final long serialVersionUID = 1L;

    WhereValues() {
      super(java.util.List.of("local", "offsite", "all"));
    }
  }

  /** What shell completion offers for {@code backup --tier}. */
  static final class TierValues extends java.util.ArrayList<String> {
    private static final long serialVersionUID = 1L;

    TierValues() {
      super(java.util.List.of("hourly", "daily", "manual"));
    }
  }

  /** What shell completion offers for {@code --method}. */
  static final class MethodValues extends java.util.ArrayList<String> {
    private static final long serialVersionUID = 1L;

    MethodValues() {
      super(java.util.List.of("auto", "bgsave", "replication"));
    }
  }

  /** What shell completion offers for {@code restore --from}. */
  static final class FromValues extends java.util.ArrayList<String> {
    private static final long serialVersionUID = 1L;

    FromValues() {
      super(java.util.List.of("auto", "local", "offsite"));
    }
  }

  static void register(CommandLine cl) {
    cl.registerConverter(Tier.class, Converters::tier);
    cl.registerConverter(ImportTier.class, Converters::importTier);
    cl.registerConverter(SnapshotMethod.class, Converters::method);
    cl.registerConverter(Where.class, Converters::where);
    cl.registerConverter(BackupSources.From.class, Converters::from);
    cl.registerConverter(ByteSize.class, Converters::size);
    // TIME is read in the operator's own zone, as the restore command always did
    cl.registerConverter(
        RestoreAt.class, text -> restoreAt(text, Clock.system(java.time.ZoneId.systemDefault())));
    cl.registerConverter(Duration.class, Converters::duration);
  }

  /**
   * The one line of a bad value, or null when {@code e} is another usage error (unknown option,
   * missing value, ...).
   */
  static String message(CommandLine.ParameterException e) {
    if (!(e.getCause() instanceof BadValue bad)) {
      return null;
    }
    ArgSpec arg = e.getArgSpec();
    String name =
        arg instanceof OptionSpec o
            ? o.longestName()
            : arg == null ? "a parameter" : arg.paramLabel();
    return message(name, e.getValue(), bad.getMessage());
  }

  static String message(String option, String value, String expected) {
    return "invalid value for " + option + ": '" + value + "' (expected " + expected + ")";
  }

  static Tier tier(String text) {
    try {
      return Tier.parse(text);
    } catch (RedisOpsException e) {
      throw new BadValue("hourly, daily or manual");
    }
  }

  static ImportTier importTier(String text) {
    if ("auto".equals(text)) {
      return new ImportTier(null);
    }
    try {
      return new ImportTier(Tier.parse(text));
    } catch (RedisOpsException e) {
      throw new BadValue("auto, hourly, daily or manual");
    }
  }

  static SnapshotMethod method(String text) {
    try {
      return SnapshotMethod.parse(text);
    } catch (RedisOpsException e) {
      throw new BadValue("bgsave, replication or auto");
    }
  }

  static Where where(String text) {
    try {
      return Where.valueOf(text.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadValue("local, offsite or all");
    }
  }

  static BackupSources.From from(String text) {
    try {
      return BackupSources.From.parse(text);
    } catch (RedisOpsException e) {
      throw new BadValue("auto, local or offsite");
    }
  }

  static ByteSize size(String text) {
    try {
      return new ByteSize(ByteSizes.parse(text));
    } catch (IllegalArgumentException e) {
      throw new BadValue(e.getMessage());
    }
  }

  static Duration duration(String text) {
    try {
      return Durations.parse(text, "");
    } catch (RedisOpsException e) {
      throw new BadValue("a number and a unit: 90s, 15m, 48h, 30d");
    }
  }

  static RestoreAt restoreAt(String text, Clock clock) {
    if (text != null && text.strip().equalsIgnoreCase("now")) {
      return new RestoreAt(clock.instant(), true);
    }
    try {
      return new RestoreAt(new RestoreTime(clock, clock.getZone()).parse(text), false);
    } catch (RedisOpsException e) {
      Matcher future = FUTURE.matcher(e.getMessage());
      if (future.matches()) {
        throw new BadValue("a past time; it is in the future: " + future.group(1));
      }
      throw new BadValue(TIME_FORMS);
    }
  }
}
