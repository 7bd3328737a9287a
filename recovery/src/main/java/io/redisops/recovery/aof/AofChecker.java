package io.redisops.recovery.aof;

import io.redisops.backup.rdb.RdbAnalysis;
import io.redisops.backup.rdb.RdbAnalyzer;
import io.redisops.backup.rdb.RdbFormatException;
import io.redisops.recovery.aof.AofFileReport.Status;
import io.redisops.recovery.aof.AofReport.Damage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks an AOF and turns the result into an {@link AofReport}: per file the size, how far it is
 * valid, what lies after that point (bytes and commands) and the last {@code #TS} time before it.
 *
 * <p>Command files are judged by {@code redis-check-aof}, the authority on what the server will
 * replay. RDB parts (a multi-part base, or the preamble of a single file) are judged by redis-ops'
 * own RDB verifier, because a checker can be wrong about them: one older than the server refuses a
 * newer RDB version, and {@code valkey-check-aof} 9.1.2 refuses its own healthy {@code VALKEY080}
 * base ("not valid after byte 0"). When the checker refuses a base the verifier passes, the command
 * files are checked one by one instead, so its wrong verdict is not passed on.
 */
public final class AofChecker {
  private final CheckAofTool tool;

  public AofChecker(CheckAofTool tool) {
    this.tool = tool;
  }

  public CheckAofTool tool() {
    return tool;
  }

  /** Checks the AOF at {@code location}; see the class comment for who judges what. */
  public AofReport check(AofLocation location) {
    Map<String, String> rdbProblems = verifyRdbParts(location);
    CheckAofTool.Output raw = tool.check(location.target());
    CheckAofOutput whole = CheckAofOutput.parse(raw);
    boolean overruled =
        location.multiPart()
            && location.files().stream()
                .anyMatch(
                    f ->
                        rdbProblems.containsKey(f.name())
                            && rdbProblems.get(f.name()) == null
                            && toolRefuses(whole, f));
    CheckAofOutput out = whole;
    if (overruled) {
      out = checkCommandFilesOneByOne(location, rdbProblems);
    }
    boolean toolOk = overruled ? out.allValid() : raw.exitCode() == 0;
    List<AofFileReport> reports = new ArrayList<>();
    boolean stopped = false; // redis-check-aof stops at the first damaged file
    Damage damage = Damage.NONE;
    for (int i = 0; i < location.files().size(); i++) {
      AofFile f = location.files().get(i);
      boolean last = i == location.files().size() - 1;
      if (!Files.isRegularFile(f.path())) {
        reports.add(
            new AofFileReport(
                f.name(),
                f.type(),
                Status.MISSING,
                0,
                -1,
                0,
                -1,
                -1,
                null,
                "listed in the manifest but missing"));
        damage = damage == Damage.NONE ? Damage.OTHER : damage;
        stopped = true;
        continue;
      }
      long size = size(f.path());
      CheckAofOutput.Analyzed a = out.analyzed().get(f.name());
      boolean wholeRdb = location.multiPart() && rdbProblems.containsKey(f.name());
      String ownVerdict = rdbProblems.get(f.name());
      boolean rdbBad =
          wholeRdb ? ownVerdict != null : f.name().equals(out.badRdb()) || ownVerdict != null;
      if (!stopped && wholeRdb && !rdbBad) {
        reports.add(
            new AofFileReport(f.name(), f.type(), Status.VALID, size, size, 0, 0, -1, null, null));
        continue;
      }
      if (stopped || (a == null && !rdbBad)) {
        reports.add(
            new AofFileReport(
                f.name(),
                f.type(),
                stopped ? Status.NOT_CHECKED : (toolOk ? Status.VALID : Status.NOT_CHECKED),
                size,
                stopped ? -1 : size,
                0,
                -1,
                commandsIn(f, size).commands(),
                null,
                null));
        continue;
      }
      if (rdbBad) {
        reports.add(
            new AofFileReport(
                f.name(),
                f.type(),
                Status.DAMAGED,
                size,
                -1,
                size,
                -1,
                -1,
                null,
                "its RDB part is damaged ("
                    + (ownVerdict != null
                        ? ownVerdict
                        : "redis-check-aof: RDB preamble of AOF file is not sane")
                    + ")"));
        damage = Damage.BASE;
        stopped = true;
        continue;
      }
      if (a.diff() == 0) {
        CommandLog.Scan scan = commandsIn(f, size);
        reports.add(
            new AofFileReport(
                f.name(),
                f.type(),
                Status.VALID,
                size,
                size,
                0,
                0,
                scan.commands(),
                scan.lastTimestamp(),
                null));
        continue;
      }
      CommandLog.Scan before = commandsIn(f, a.okUpTo());
      CommandLog.Loss loss = CommandLog.lossFrom(f.path(), a.okUpTo());
      reports.add(
          new AofFileReport(
              f.name(),
              f.type(),
              Status.DAMAGED,
              size,
              a.okUpTo(),
              size - a.okUpTo(),
              loss.commands(),
              before.commands(),
              before.lastTimestamp(),
              "not valid after byte " + a.okUpTo() + " (line " + a.okUpToLine() + ")"));
      damage = last && f.type().holdsCommands() ? Damage.LAST_FILE : Damage.NOT_LAST_FILE;
      stopped = true;
    }
    if (damage == Damage.NONE && !out.allValid()) {
      damage = Damage.OTHER;
    }
    return new AofReport(location, reports, damage, out.lastLine(), overruled);
  }

  /**
   * redis-ops' verdict on every file that starts with an RDB (a base, or a single file with a
   * preamble): name to null when it verifies (CRC-64 matching; full or checksum level), else what
   * is wrong. Files without an RDB part are absent. For a single file with a preamble only the
   * preamble can be judged here, and only a damaged one counts.
   */
  private static Map<String, String> verifyRdbParts(AofLocation location) {
    Map<String, String> out = new HashMap<>();
    for (AofFile f : location.files()) {
      if (!Files.isRegularFile(f.path()) || !startsWithRdb(f.path())) {
        continue;
      }
      if (!location.multiPart()) {
        continue; // a preamble followed by commands: the analyzer needs the RDB alone; the checker
        // judges it
      }
      try (InputStream in = Files.newInputStream(f.path())) {
        RdbAnalysis a = RdbAnalyzer.analyze(in);
        out.put(f.name(), a.crcOk() ? null : "its CRC-64 does not match");
      } catch (RdbFormatException e) {
        out.put(f.name(), "redis-ops: " + e.getMessage());
      } catch (IOException e) {
        out.put(f.name(), "unable to read it: " + e.getMessage());
      }
    }
    return out;
  }

  private static boolean toolRefuses(CheckAofOutput out, AofFile f) {
    CheckAofOutput.Analyzed a = out.analyzed().get(f.name());
    return f.name().equals(out.badRdb())
        || (a != null && a.diff() > 0)
        || (!out.allValid() && a == null);
  }

  /**
   * The checker on each command file alone, in load order, until the first damaged one (as it does
   * itself).
   */
  private CheckAofOutput checkCommandFilesOneByOne(
      AofLocation location, Map<String, String> rdbProblems) {
    Map<String, CheckAofOutput.Analyzed> analyzed = new LinkedHashMap<>();
    String lastLine =
        "all command files are valid (redis-check-aof, one by one); the RDB base verified by redis-ops";
    boolean allValid = true;
    for (AofFile f : location.files()) {
      if (rdbProblems.containsKey(f.name()) || !Files.isRegularFile(f.path())) {
        continue;
      }
      CheckAofTool.Output raw = tool.check(f.path());
      CheckAofOutput one = CheckAofOutput.parse(raw);
      analyzed.putAll(one.analyzed());
      if (raw.exitCode() != 0) {
        allValid = false;
        lastLine = one.lastLine();
        break;
      }
    }
    return new CheckAofOutput(analyzed, null, null, allValid, lastLine);
  }

  /** The commands of a file's command part up to {@code limit}; nothing for RDB files. */
  private static CommandLog.Scan commandsIn(AofFile f, long limit) {
    if ((!f.type().holdsCommands() && !f.name().endsWith(".aof")) || startsWithRdb(f.path())) {
      return new CommandLog.Scan(-1, 0, 0, null, -1, null, null, null, -1);
    }
    return CommandLog.scan(f.path(), 0, limit);
  }

  /**
   * Whether a file begins with an RDB part (a base, or an old single file written with
   * aof-use-rdb-preamble): the magic {@code REDIS}, or {@code VALKEY} from Valkey 9 on.
   */
  static boolean startsWithRdb(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      String magic = new String(in.readNBytes(6), StandardCharsets.US_ASCII);
      return magic.startsWith("REDIS") || magic.equals("VALKEY");
    } catch (IOException e) {
      return false;
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return -1;
    }
  }
}
