package io.redisops.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redisops.backup.catalog.Tier;
import io.redisops.backup.snapshot.SnapshotMethod;
import io.redisops.recovery.restore.BackupSources;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The converters of the option values and their one message form: a bad value is refused while the
 * command line is parsed (before any command runs, so nothing is touched), with one line {@code
 * redis-ops: invalid value for OPTION: 'VALUE' (expected ...)} and exit 2; with {@code --json} also
 * the one JSON document.
 */
class ConvertersTest {
  private static final Clock NOON =
      Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);

  record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cl = Cli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of(
            List.of("backup", "--tier", "weekly"),
            "invalid value for --tier: 'weekly' (expected hourly, daily or manual)"),
        Arguments.of(
            List.of("backup", "--method", "foo"),
            "invalid value for --method: 'foo' (expected bgsave, replication or auto)"),
        Arguments.of(
            List.of("import", "--tier", "weekly", "/nonexistent"),
            "invalid value for --tier: 'weekly' (expected auto, hourly, daily or manual)"),
        Arguments.of(
            List.of("list", "--where", "moon"),
            "invalid value for --where: 'moon' (expected local, offsite or all)"),
        Arguments.of(
            List.of("verify", "--where", "moon"),
            "invalid value for --where: 'moon' (expected local, offsite or all)"),
        Arguments.of(
            List.of("prune", "--where", "moon"),
            "invalid value for --where: 'moon' (expected local, offsite or all)"),
        Arguments.of(
            List.of("restore", "--latest", "--from", "tape"),
            "invalid value for --from: 'tape' (expected auto, local or offsite)"),
        Arguments.of(
            List.of("restore", "--at", "half past ten"),
            "invalid value for --at: 'half past ten' (expected " + Converters.TIME_FORMS + ")"),
        Arguments.of(
            List.of("aof", "repair", "--max-loss", "4XB"),
            "invalid value for --max-loss: '4XB' (expected a size: 512, 4KiB, 1MiB, ...)"),
        Arguments.of(
            List.of("aof", "repair", "--max-loss", "99999999999T"),
            "invalid value for --max-loss: '99999999999T' (expected a size below 8 EiB)"),
        Arguments.of(
            List.of("sentinel", "watch", "--for", "5y"),
            "invalid value for --for: '5y' (expected a number and a unit: 90s, 15m, 48h, 30d)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badValues")
  void aBadValueIsOneLineAndExit2(List<String> args, String message) {
    Run r = run(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("redis-ops: " + message + System.lineSeparator());
    assertThat(r.out()).isEmpty();
  }

  @Test
  void underJsonTheErrorIsAlsoTheOneDocument() throws Exception {
    Run r = run("--json", "list", "--where", "moon");
    assertThat(r.exit()).isEqualTo(2);
    var doc = RepoTree.JSON.readTree(r.out());
    assertThat(doc.path("error").asText())
        .isEqualTo("invalid value for --where: 'moon' (expected local, offsite or all)");
    assertThat(doc.path("exit_code").asInt()).isEqualTo(2);
  }

  @Test
  void aTimeInTheFutureNamesItAndNow() {
    assertThatThrownBy(() -> Converters.restoreAt("2999-01-01 00:00", NOON))
        .isInstanceOf(Converters.BadValue.class)
        .hasMessage(
            "a past time; it is in the future: 2999-01-01T00:00Z, now is 2026-11-22T12:00Z");
    Run r = run("restore", "--at", "2999-01-01 00:00");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .startsWith(
            "redis-ops: invalid value for --at: '2999-01-01 00:00' (expected a past time; it is"
                + " in the future: 2999-01-01T00:00");
  }

  @Test
  void goodValues() {
    assertThat(Converters.tier("daily")).isEqualTo(Tier.DAILY);
    assertThat(Converters.importTier("auto").tier()).isNull();
    assertThat(Converters.importTier("manual").tier()).isEqualTo(Tier.MANUAL);
    assertThat(Converters.method("replication")).isEqualTo(SnapshotMethod.REPLICATION);
    assertThat(Converters.where("ALL")).isEqualTo(Where.ALL);
    assertThat(Converters.from("offsite")).isEqualTo(BackupSources.From.OFFSITE);
    assertThat(Converters.size("4KiB").bytes()).isEqualTo(4096);
    assertThat(Converters.size("512").bytes()).isEqualTo(512);
    assertThat(Converters.size("1M").bytes()).isEqualTo(1 << 20);
    assertThat(Converters.duration("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Converters.restoreAt("-2h", NOON).instant())
        .isEqualTo(Instant.parse("2026-11-22T10:00:00Z"));
    assertThat(Converters.restoreAt("11:00", NOON).instant())
        .isEqualTo(Instant.parse("2026-11-22T11:00:59.999999999Z"));
    assertThat(Converters.restoreAt("11:00", NOON).end()).isFalse();
    // now: as late as the data goes (the archive's end), given at the clock's now
    assertThat(Converters.restoreAt(" NOW ", NOON))
        .isEqualTo(new Converters.RestoreAt(Instant.parse("2026-11-22T12:00:00Z"), true));
  }

  @Test
  void onlyAnExplicitYesIsConsent() {
    for (String yes : List.of("y", "Y", "yes", "YES", " Yes ")) {
      assertThat(Consent.accepts(yes)).as(yes).isTrue();
    }
    for (String no : List.of("", "n", "no", "yeah", "yes please", "yy", "ok")) {
      assertThat(Consent.accepts(no)).as(no).isFalse();
    }
    assertThat(Consent.accepts(null)).isFalse();
  }
}
